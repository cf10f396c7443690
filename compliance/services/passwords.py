"""Password policy and hashing (memory-hard scrypt via Werkzeug)."""

import re
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from compliance.errors import WeakPassword
from compliance.settings import setting

MIN_LENGTH = 12
MAX_LENGTH = 256
# Checked against a known hash so that a missing account costs as much time as a real one.
_DUMMY = "scrypt:32768:8:1$dummy$" + "0" * 128


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_policy(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse short, common or easily guessed passwords with a reason."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"The password must have at least {MIN_LENGTH} characters.",
                           field="password")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password must have at most {MAX_LENGTH} characters.",
                           field="password")
    if password.lower() in _common_passwords():
        raise WeakPassword("This password is on a list of common passwords.", field="password")
    if _holds_an_email(password, user_inputs):
        raise WeakPassword("The password must not be or contain the account's email address.",
                           field="password")
    words = [w for text in user_inputs for w in re.split(r"[^a-z0-9]+", text.lower()) if w]
    if zxcvbn(password[:100], user_inputs=words)["score"] < 3:
        raise WeakPassword("This password is too easy to guess: avoid names, your email "
                           "address, dates and repeated patterns.", field="password")


def _holds_an_email(password: str, user_inputs: tuple[str, ...]) -> bool:
    """Whether `password` contains one of the email addresses among `user_inputs`, or is
    its part before the @ (zxcvbn lets an address through when it is long)."""
    lowered = password.lower()
    for text in user_inputs:
        address = (text or "").strip().lower()
        if "@" in address and (address in lowered or lowered == address.partition("@")[0]):
            return True
    return False


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=setting("PASSWORD_HASH_METHOD"))


def verify_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY, password) and password_hash is not None
