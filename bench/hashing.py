"""Password hashing at the production parameters: argon2id (config.py) against Werkzeug's
scrypt that it replaced; prints JSON. Run with `.venv/bin/python -m bench.hashing`."""

import json
import os

from flask import Flask
from werkzeug.security import check_password_hash, generate_password_hash

from bench.common import summary, timed
from compliance.services.passwords import hash_password, needs_rehash, verify_password
from config import Config

# The method every hash was made with before argon2id (N=2^15, r=8, p=1: 32 MiB).
OLD_SCRYPT = "scrypt:32768:8:1"
PASSWORD = "Sclero-Ledger-Witness-42"
RUNS = int(os.environ.get("BENCH_HASH_RUNS", "7"))


def _production_settings() -> Flask:
    """An app holding only the production configuration, for `setting` to read."""
    app = Flask(__name__)
    app.config.from_object(Config)
    return app


def argon2id() -> dict:
    with _production_settings().app_context():
        stored, old = hash_password(PASSWORD), _old_hash()
        assert not needs_rehash(stored)
        return {
            "parameters": stored.split("$")[3],
            "hash": summary(timed(lambda: hash_password(PASSWORD), RUNS)),
            "verify": summary(timed(lambda: verify_password(stored, PASSWORD), RUNS)),
            "verify_wrong": summary(timed(lambda: verify_password(stored, "wrong"), RUNS)),
            "missing_account": summary(timed(lambda: verify_password(None, PASSWORD), RUNS)),
            # Once per account: the old hash checked, then the password hashed anew.
            "upgrade_at_sign_in": summary(timed(lambda: _upgrade(old), RUNS)),
        }


def _old_hash() -> str:
    return generate_password_hash(PASSWORD, method=OLD_SCRYPT)


def _upgrade(old: str) -> str:
    assert verify_password(old, PASSWORD) and needs_rehash(old)
    return hash_password(PASSWORD)


def scrypt() -> dict:
    stored = _old_hash()
    return {
        "parameters": OLD_SCRYPT,
        "hash": summary(timed(_old_hash, RUNS)),
        "verify": summary(timed(lambda: check_password_hash(stored, PASSWORD), RUNS)),
    }


def measure() -> dict:
    return {"argon2id": argon2id(), "scrypt_before": scrypt()}


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
