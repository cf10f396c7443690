"""Setting up a user's second factor in tests."""

import time

import pyotp
from sqlalchemy import update

from compliance.extensions import db
from compliance.models import User
from compliance.services import second_factor


def enrol(user) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol `user` through the service with the current code; returns the app and the
    recovery codes. The step remembered is then put two steps back, so that `totp.now()` is
    still an unused code for the test (however slowly the hashing of the codes ran), and the
    session token put back, so that a test client signed in as `user` stays signed in (as
    the set-up page keeps its own browser's session)."""
    secret = second_factor.new_secret()
    totp = pyotp.TOTP(secret)
    token = user.session_token
    codes = second_factor.enrol(user, secret, totp.now())
    step = int(time.time()) // second_factor.STEP_SECONDS - 2
    db.session.execute(update(User).where(User.id == user.id).values(
        totp_last_step=step, session_token=token))
    db.session.commit()
    db.session.refresh(user)
    return totp, codes


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the step after this one, accepted as a slow clock's (one step either
    side): a second code when the current one is spent."""
    return totp.at(time.time() + 30)
