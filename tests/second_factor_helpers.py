"""Setting up a user's second factor in tests."""

import time

import pyotp

from compliance.extensions import db
from compliance.services import second_factor


def enrol(user) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol `user` through the service, confirmed with the previous step's code so that the
    current code, `totp.now()`, is still unused afterwards; returns the app and the recovery
    codes."""
    secret = second_factor.new_secret()
    totp = pyotp.TOTP(secret)
    codes = second_factor.enrol(user, secret, totp.at(time.time() - 30))
    db.session.refresh(user)
    return totp, codes


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the step after this one, accepted as a slow clock's (one step either
    side): a second code when the current one is spent."""
    return totp.at(time.time() + 30)
