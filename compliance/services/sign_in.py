"""Signing in and out (D1): failed attempts counted (services/lockout.py), the second
factor's step after the password (D8), and the end of every session at sign-out."""

import secrets

from compliance.errors import AccountInactive, AccountLocked, LoginRefused
from compliance.extensions import db
from compliance.models import LoginThrottle, User
from compliance.services import lockout, second_factor
from compliance.services.accounts import find_by_email, normalise_email
from compliance.services.audit import acting_as, actor_of, give_reason, record_event
from compliance.services.passwords import hash_password, needs_rehash, verify_password
from compliance.services.reports.audit_words import REHASHED
from compliance.services.unit_of_work import unit_of_work


@unit_of_work("sign out")
def end_sessions(user: User) -> None:
    """Logout: every cookie issued to this user so far stops working."""
    user = db.session.get(User, user.id, populate_existing=True)
    user.rotate_session_token()
    record_event("logout", actor=actor_of(user), table_name="users", record_id=str(user.id))


def _lock_message() -> str:
    return (f"Too many failed sign-in attempts: sign-in for this email address is locked "
            f"for {lockout.lock_minutes()} minutes.")


def _record_failure(throttle: LoginThrottle, user: User | None) -> LoginRefused:
    if lockout.count_failure(throttle, user.id if user else None,
                             f"Failed sign-in for {throttle.email}"):
        return AccountLocked(_lock_message())
    return LoginRefused()


def authenticate(email: str, password: str) -> User:
    """The user with these credentials, or LoginRefused saying only what is safe to say."""
    email = normalise_email(email)
    user = find_by_email(email)
    # Checked before the write lock: the hash takes tens of milliseconds by design.
    checked_hash = user.password_hash if user else None
    matches = verify_password(checked_hash, password)
    # An older hash (scrypt, or weaker argon2id parameters) is replaced, hashed here too.
    upgraded = hash_password(password) if matches and needs_rehash(checked_hash) else None
    outcome = _sign_in(None, email, user.id if user else None, checked_hash, matches, upgraded)
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


@unit_of_work("sign in")
def _sign_in(_actor, email: str, user_id: int | None, checked_hash: str | None,
             matches: bool, upgraded: str | None) -> "User | LoginRefused":
    """Count the attempt and return the user or the refusal: a refused sign-in is committed
    too (its failure count and events), so it is returned rather than raised."""
    throttle = lockout.throttle(email)
    if lockout.is_locked(throttle):
        _refuse_sign_in(email, None, "locked")
        return AccountLocked(_lock_message())
    # As it is now, inside the writing transaction.
    user = db.session.get(User, user_id, populate_existing=True) if user_id else None
    if not matches or user is None or user.password_hash != checked_hash:
        return _record_failure(throttle, user)
    if not user.is_active:
        _refuse_sign_in(email, user, "inactive or expired account")
        return AccountInactive()
    if upgraded:
        _store_upgraded_hash(user, upgraded)
    if user.has_second_factor:
        # Half-way: the failure count stands until the code is given too.
        return user
    _signed_in(throttle, user, "")
    return user


def _store_upgraded_hash(user: User, upgraded: str) -> None:
    """Replace the password's older hash once the password is proven (before the second
    factor: the hash is of the password alone); audited as the user's own change."""
    give_reason(REHASHED)
    with acting_as(actor_of(user)):
        user.password_hash = upgraded
        db.session.flush()  # captured for the trail now, as the user's change


def _signed_in(throttle: LoginThrottle, user: User, how: str) -> None:
    throttle.failed_count, throttle.locked_until = 0, None
    record_event("login", actor=actor_of(user), table_name="users", record_id=str(user.id),
                 detail=how or None)


def second_step(user_id: int, token: str, code: str) -> User:
    """The user who gave the right password (still holding session token `token`) and now
    a current code or an unused recovery code; LoginRefused otherwise, a wrong code counted
    as a failed sign-in."""
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountInactive("Sign in again.")
    recovery_id = None
    if not second_factor.is_totp_code(code):
        recovery_id = second_factor.matching_recovery_code(user.id, code)
    outcome = _second_step(None, user.email, user.id, token, code, recovery_id)
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


@unit_of_work("sign in")
def _second_step(_actor, email: str, user_id: int, token: str, code: str,
                 recovery_id: int | None) -> "User | LoginRefused":
    throttle = lockout.throttle(email)
    if lockout.is_locked(throttle):
        _refuse_sign_in(email, None, "locked")
        return AccountLocked(_lock_message())
    user = db.session.get(User, user_id, populate_existing=True)
    if not (user.is_active and user.has_second_factor
            and secrets.compare_digest(user.session_token, token)):
        _refuse_sign_in(email, user, "account changed since the password was given")
        return AccountInactive("This account changed since you gave your password: sign in "
                               "again.")
    if second_factor.accept_code(user, code):
        _signed_in(throttle, user, "with a second-factor code")
    elif second_factor.use_recovery_code(user.id, recovery_id):
        _signed_in(throttle, user, "with a one-time recovery code")
    elif lockout.count_failure(throttle, user.id, f"Wrong or reused second-factor code for "
                                                  f"{email} at sign-in"):
        return AccountLocked(_lock_message())
    else:
        return LoginRefused("The code is incorrect or was already used.")
    return user


def _refuse_sign_in(email: str, user: User | None, why: str) -> None:
    record_event("login_failed", actor=lockout.ANONYMOUS, table_name="users",
                 record_id=str(user.id) if user else None,
                 detail=f"Sign-in for {email} refused: {why}")
