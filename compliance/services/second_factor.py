"""The second factor (D8): time-based one-time codes (TOTP, RFC 6238) and one-time recovery
codes, their enrolment and their reset by a manager."""

import base64
import hmac
import re
import secrets

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from compliance.clock import utcnow
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import RecoveryCode, User
from compliance.permissions import MANAGER, holds
from compliance.services import ensure_can, reread
from compliance.services.audit import give_reason
from compliance.services.passwords import hash_password, verify_password
from compliance.services.unit_of_work import unit_of_work
from compliance.settings import setting

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
TOTP_CODE = re.compile(r"\d{6}")


def needs_second_factor(user) -> bool:
    """Managers and prescribing doctors (a prescriber whose profession is doctor) use one
    when REQUIRE_SECOND_FACTOR is on (D8)."""
    return MANAGER in user.roles or holds(user, "write_prescription")


def must_enrol(user) -> bool:
    """Whether `user` has to enrol before reaching anything else."""
    return (bool(setting("REQUIRE_SECOND_FACTOR")) and needs_second_factor(user)
            and not user.has_second_factor)


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code(user, secret: str) -> str:
    """The authenticator app's enrolment link as an SVG QR code, in a data: URI."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email,
                                              issuer_name=setting("CLINIC_NAME"))
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _box() -> Fernet:
    key = HKDF(algorithm=SHA256(), length=32, salt=None,
               info=b"second factor secrets").derive(setting("SECRET_KEY").encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    """The secret as stored: encrypted and authenticated."""
    return _box().encrypt(secret.encode()).decode()


def unseal(stored: str | None) -> str | None:
    """The stored secret in clear; None when SECRET_KEY changed since (the user then signs in
    with a recovery code, and a manager resets the second factor)."""
    try:
        return _box().decrypt(stored.encode()).decode() if stored else None
    except InvalidToken:
        return None


def _clean(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "")


def code_step(secret: str, code: str | None) -> int | None:
    """The time step (now, or one either side for a slow clock) whose code `code` is."""
    code = _clean(code)
    if not TOTP_CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    now = int(utcnow().timestamp()) // STEP_SECONDS
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def accept_code(user: User, code: str | None) -> bool:
    """Whether `code` is the enrolled user's current code, used for the first time: an
    accepted step is remembered, so the same code (or an earlier one) is refused after."""
    secret = unseal(user.totp_secret)
    step = code_step(secret, code) if secret else None
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def is_totp_code(code: str | None) -> bool:
    return bool(TOTP_CODE.fullmatch(_clean(code)))


def matching_recovery_code(user_id: int, code: str | None) -> int | None:
    """The id of the unused recovery code `code` is, checked before any write begins (each
    check is a password hash)."""
    code = _clean(code).lower()
    if not code:
        return None
    unused = db.session.execute(select(RecoveryCode.id, RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))
    for row in unused:
        if verify_password(row.code_hash, code):
            return row.id
    return None


def use_recovery_code(user_id: int, code_id: int | None) -> bool:
    """Spend the recovery code `code_id` of `user_id`; False when it is not theirs or spent."""
    if code_id is None:
        return False
    found = db.session.get(RecoveryCode, code_id, with_for_update=True, populate_existing=True)
    if found is None or found.user_id != user_id or found.used_at is not None:
        return False
    found.used_at = utcnow()
    return True


def new_recovery_codes() -> list[str]:
    """Codes to show once, as xxxxx-xxxxx in lower-case letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = ("".join(secrets.choice(alphabet) for _ in range(10))
           for _ in range(RECOVERY_CODE_COUNT))
    return [f"{code[:5]}-{code[5:]}" for code in raw]


def enrol(actor: User, secret: str, code: str) -> list[str]:
    """Confirm enrolment of `secret` with a current code; returns the recovery codes, shown
    this once. The code is checked first, so that a wrong one costs no hashing; the codes are
    hashed before the writing transaction (each hash takes a while by design)."""
    step = _confirmed_step(secret, code)
    codes = new_recovery_codes()
    hashes = [hash_password(_clean(code)) for code in codes]
    _enrol(actor, secret, step, hashes)
    return codes


def _confirmed_step(secret: str | None, code: str) -> int:
    step = code_step(secret, code) if secret else None
    if step is None:
        raise InvalidInput("That code does not match: enter the code your app shows now.",
                           field="code")
    return step


@unit_of_work("enrol a second factor")
def _enrol(actor: User, secret: str, step: int, hashes: list[str]) -> None:
    user = reread(User, actor.id, "No such user.", lock=True)
    if user.has_second_factor:
        raise InvalidInput("A second factor is already set up for this account.")
    give_reason("Second factor set up by the user")
    user.totp_secret, user.totp_enrolled_at, user.totp_last_step = seal(secret), utcnow(), step
    # Sessions signed in elsewhere with the password alone end; the caller keeps its own.
    user.rotate_session_token()
    # A reset removed any earlier codes, so these are the only ones.
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=value) for value in hashes)


def unused_recovery_codes(user_id: int) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all())


@unit_of_work("reset a second factor")
def reset(actor: User | None, user_id: int, reason: str) -> User:
    """Remove a user's second factor and recovery codes (a lost phone), saying why, and end
    their sessions (the lost phone may be signed in); they enrol again at their next sign-in
    when they must have one. `actor` None is the command line."""
    if actor is not None:
        ensure_can(actor, "manage_users")
        if actor.id == user_id:
            # Else a stolen session of a manager could remove the factor that guards them.
            raise InvalidInput("You cannot reset your own second factor: another manager "
                               "does it, or the command line (flask users reset-2fa).")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the change.", field="reason")
    user = reread(User, user_id, "No such user.", lock=True)
    if user.totp_secret is None:
        raise InvalidInput(f"{user.full_name} has no second factor to reset.")
    give_reason(reason)
    user.totp_secret = user.totp_enrolled_at = user.totp_last_step = None
    user.rotate_session_token()
    for code in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(code)
    return user
