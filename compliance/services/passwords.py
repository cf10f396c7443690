"""Password policy and hashing: argon2id (argon2-cffi) at the parameters of config.py; the
Werkzeug scrypt hashes stored before it still verify, and are replaced at the next sign-in."""

import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from compliance.errors import WeakPassword
from compliance.settings import setting

MIN_LENGTH = 12
MAX_LENGTH = 256
# How Werkzeug's scrypt hashes begin: the only kind stored before argon2id.
_SCRYPT = "scrypt:"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


@lru_cache(maxsize=1)
def demo_passwords() -> frozenset[str]:
    """The passwords printed by the demo commands and the README, lower-cased."""
    # Imported here: the demo loader itself creates its accounts through this module.
    from compliance.demo import DEMO_USERS
    from compliance.generator.run import PASSWORD as GENERATED_PASSWORD

    return frozenset(p.lower() for p in (*(d.password for d in DEMO_USERS),
                                         GENERATED_PASSWORD))


def check_policy(password: str, *, user_inputs: tuple[str, ...] = (),
                 demo: bool = False) -> None:
    """Refuse short, common or easily guessed passwords with a reason; the published demo
    passwords too, except for the demo's own accounts (`demo`)."""
    if not demo and password.strip().lower() in demo_passwords():
        raise WeakPassword("This is a published demo password: choose another.",
                           field="password")
    _check_length(password)
    if password.lower() in _common_passwords():
        raise WeakPassword("This password is on a list of common passwords.", field="password")
    if _holds_an_email(password, user_inputs):
        raise WeakPassword("The password must not be or contain the account's email address.",
                           field="password")
    words = [w for text in user_inputs for w in re.split(r"[^a-z0-9]+", text.lower()) if w]
    if zxcvbn(password[:100], user_inputs=words)["score"] < 3:
        raise WeakPassword("This password is too easy to guess: avoid names, your email "
                           "address, dates and repeated patterns.", field="password")


def _check_length(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"The password must have at least {MIN_LENGTH} characters.",
                           field="password")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password must have at most {MAX_LENGTH} characters.",
                           field="password")


def _holds_an_email(password: str, user_inputs: tuple[str, ...]) -> bool:
    """Whether `password` contains one of the email addresses among `user_inputs`, or is
    its part before the @ (zxcvbn lets an address through when it is long)."""
    lowered = password.lower()
    for text in user_inputs:
        address = (text or "").strip().lower()
        if "@" in address and (address in lowered or lowered == address.partition("@")[0]):
            return True
    return False


def _parameters() -> tuple[int, int, int]:
    return (setting("PASSWORD_HASH_MEMORY_KIB"), setting("PASSWORD_HASH_TIME_COST"),
            setting("PASSWORD_HASH_PARALLELISM"))


@lru_cache(maxsize=4)
def _hasher_for(memory_kib: int, time_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost,
                          parallelism=parallelism, type=Type.ID)


@lru_cache(maxsize=4)
def _dummy_for(memory_kib: int, time_cost: int, parallelism: int) -> str:
    """A hash of a random secret at these parameters, computed once: checked when there is
    no account, so that a missing account costs as much time as a real one."""
    hasher = _hasher_for(memory_kib, time_cost, parallelism)
    return hasher.hash(secrets.token_urlsafe(32))


def hash_password(password: str) -> str:
    return _hasher_for(*_parameters()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        _argon2_matches(_dummy_for(*_parameters()), password)
        return False
    if password_hash.startswith(_SCRYPT):
        return check_password_hash(password_hash, password)
    return _argon2_matches(password_hash, password)


def _argon2_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher_for(*_parameters()).verify(password_hash, password)
    except (VerificationError, InvalidHashError):  # a wrong password or not a hash at all
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that matched should be replaced: it is not argon2id at the configured
    parameters (an older scrypt hash, or parameters raised since)."""
    if password_hash.startswith(_SCRYPT):
        return True
    try:
        return _hasher_for(*_parameters()).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
