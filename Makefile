# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs in one process per core (pytest-xdist), each module's tests in one process:
# a module builds its records once (tests/conftest.py `built_once`), and the database-role
# tests make roles, which are the server's, not one database's. TEST_WORKERS=0: one process.
# Modules start slowest first (tests/ordering.py), not in xdist's order by number of tests.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
# One stamp per lock: `make run` installs the runtime only, `make test` adds the tools.
RUN_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
# Every dependency pinned with its hashes; the indexes come from pip's own configuration, so
# the locks name none. `make lock LOCK_ARGS=--upgrade` also moves the unpinned dependencies.
COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
export FLASK_APP := wsgi.py

.PHONY: run test lint browser venv dev-venv lock bench pytest-command

venv: $(RUN_STAMP)

dev-venv: $(DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

# The development lock holds the runtime one (same versions), so it stands for both stamps.
$(DEV_STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(RUN_STAMP)

lock: $(DEV_STAMP)
	$(COMPILE) --output-file requirements.lock requirements.txt
	$(COMPILE) --output-file requirements-dev.lock requirements-dev.txt

run: venv
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

browser:
	@sh scripts/ensure-chromium.sh

test: dev-venv browser
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_size.py
	$(PYTEST)

# National: not backup (the database twice over plus the file: more than this machine's disk)
# or the replica (a copy of the whole cluster); replay in 5 passes of up to 8 GB (the default
# 4 GB takes 10, each reading the 33 GB trail). bench/RESULTS.md says what each measured.
bench: dev-venv
	$(BIN)/python -m bench.run --db both --size small
	$(BIN)/python -m bench.run --db both --size full
	AUDIT_REPLAY_MEMORY_MB=8192 $(BIN)/python -m bench.run --db postgres --size national \
		--only pages,export,pdf,verify,replay

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_size.py

# How `make test` runs pytest, for .ci/run's second pass.
pytest-command:
	@echo $(PYTEST)
