import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from werkzeug.security import generate_password_hash

from compliance.errors import WeakPassword
from compliance.services.passwords import (
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from config import Config, TestingConfig

GOOD = "Sclero-Ledger-Witness-42"


@pytest.mark.parametrize("password, reason", [
    ("short-Pw1!", "at least 12"),
    ("x" * 257, "at most 256"),
    ("password1234", "common passwords"),
    ("aaaaaaaaaaaaaaaa", "common passwords|too easy"),
    ("rhiannonrhiannon", "too easy"),
    ("qwertyuiopasdf", "too easy"),
    ("Jones2024Jones2024", "too easy"),
    ("rhiannon.jones@clinic.test", "must not be or contain the account's email address"),
    ("My-rhiannon.jones@clinic.test-9", "must not be or contain"),
    ("RHIANNON.JONES", "must not be or contain|too easy"),
])
def test_weak_passwords_are_refused_with_a_reason(app, password, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_policy(password, user_inputs=("rhiannon.jones@clinic.test", "Rhiannon Jones"))


def test_a_long_uncommon_password_is_accepted(app):
    check_policy("Sclero-Ledger-Witness-42")


def test_hashes_are_argon2id_at_the_configured_parameters_and_verify(app):
    hashed = hash_password(GOOD)
    parameters = extract_parameters(hashed)
    assert hashed.startswith("$argon2id$") and parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        TestingConfig.PASSWORD_HASH_MEMORY_KIB, TestingConfig.PASSWORD_HASH_TIME_COST,
        TestingConfig.PASSWORD_HASH_PARALLELISM)
    assert verify_password(hashed, GOOD)
    assert not verify_password(hashed, GOOD + "!")
    assert not needs_rehash(hashed)


def test_production_parameters_are_at_least_owasps_first_argon2id_configuration():
    # OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1 at the least.
    assert Config.PASSWORD_HASH_MEMORY_KIB >= 19 * 1024
    assert Config.PASSWORD_HASH_TIME_COST >= 2
    assert Config.PASSWORD_HASH_PARALLELISM >= 1


@pytest.mark.parametrize("method", ["scrypt:32768:8:1", "scrypt:1024:8:1"])
def test_werkzeug_scrypt_hashes_of_before_still_verify_and_need_rehashing(app, method):
    hashed = generate_password_hash(GOOD, method=method)
    assert verify_password(hashed, GOOD)
    assert not verify_password(hashed, GOOD + "!")
    assert needs_rehash(hashed)


def test_a_hash_at_other_argon2_parameters_verifies_and_needs_rehashing(app):
    weaker = PasswordHasher(memory_cost=32, time_cost=1, parallelism=1).hash(GOOD)
    assert verify_password(weaker, GOOD) and needs_rehash(weaker)
    current = hash_password(GOOD)
    app.config["PASSWORD_HASH_TIME_COST"] += 1  # the parameters raised since
    assert verify_password(current, GOOD) and needs_rehash(current)
    argon2i = PasswordHasher(memory_cost=64, time_cost=1, parallelism=1, type=Type.I)
    assert needs_rehash(argon2i.hash(GOOD))


@pytest.mark.parametrize("stored", ["", "x", "$argon2id$garbage", "pbkdf2:sha256$x"])
def test_what_is_not_a_hash_never_verifies_and_needs_rehashing(app, stored):
    assert not verify_password(stored, GOOD)
    assert needs_rehash(stored)


def test_a_missing_hash_never_verifies(app):
    assert not verify_password(None, "anything-at-all-here")


def test_a_missing_account_checks_one_argon2id_hash_at_the_configured_parameters(
        app, monkeypatch):
    """The dummy costs what a real account's check costs; it is a hash of a random secret,
    so the same one checked twice shows it was computed once."""
    checked = []
    real_verify = PasswordHasher.verify

    def spy(hasher, stored, password):
        checked.append(stored)
        return real_verify(hasher, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    assert not verify_password(None, GOOD)
    assert not verify_password(None, GOOD)
    assert len(checked) == 2 and checked[0] == checked[1]
    assert extract_parameters(checked[0]) == extract_parameters(hash_password(GOOD))
