"""Signing in and out (D1): failed attempts counted (services/lockout.py), and the end of
every session at sign-out."""

from compliance.errors import AccountInactive, AccountLocked, LoginRefused
from compliance.extensions import db
from compliance.models import LoginThrottle, User
from compliance.services import lockout
from compliance.services.accounts import find_by_email, normalise_email
from compliance.services.audit import actor_of, record_event
from compliance.services.passwords import verify_password
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
    # Checked before the write lock: the hash takes a tenth of a second by design.
    checked_hash = user.password_hash if user else None
    matches = verify_password(checked_hash, password)
    outcome = _sign_in(None, email, user.id if user else None, checked_hash, matches)
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


@unit_of_work("sign in")
def _sign_in(_actor, email: str, user_id: int | None, checked_hash: str | None,
             matches: bool) -> "User | LoginRefused":
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
    throttle.failed_count, throttle.locked_until = 0, None
    record_event("login", actor=actor_of(user), table_name="users", record_id=str(user.id))
    return user


def _refuse_sign_in(email: str, user: User | None, why: str) -> None:
    record_event("login_failed", actor=lockout.ANONYMOUS, table_name="users",
                 record_id=str(user.id) if user else None,
                 detail=f"Sign-in for {email} refused: {why}")
