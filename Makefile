# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py

.PHONY: run test lint browser venv bench

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: venv
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

browser:
	@sh scripts/ensure-chromium.sh

test: venv browser
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_size.py
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python -m bench.run --db both --size small
	$(BIN)/python -m bench.run --db both --size full

lint: venv
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_size.py
