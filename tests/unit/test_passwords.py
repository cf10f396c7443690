import pytest

from compliance.errors import WeakPassword
from compliance.services.passwords import check_policy, hash_password, verify_password


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


def test_hashes_are_scrypt_and_verify(app):
    hashed = hash_password("Sclero-Ledger-Witness-42")
    assert hashed.startswith("scrypt:")
    assert verify_password(hashed, "Sclero-Ledger-Witness-42")
    assert not verify_password(hashed, "Sclero-Ledger-Witness-43")


def test_a_missing_hash_never_verifies(app):
    assert not verify_password(None, "anything-at-all-here")
