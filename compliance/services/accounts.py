"""Accounts: creating and changing users, passwords and sign-in (D1)."""

import re
import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from compliance.clock import utcnow
from compliance.database import insert_for
from compliance.errors import (
    AccountInactive,
    AccountLocked,
    DuplicateEmail,
    InvalidInput,
    InvalidRegistration,
    LoginRefused,
)
from compliance.extensions import db
from compliance.models import LoginThrottle, User
from compliance.permissions import PRESCRIBER, ROLES, holds
from compliance.services import ensure_can
from compliance.services.audit import Actor, actor_of, give_reason, record_event
from compliance.services.passwords import check_policy, hash_password, verify_password
from compliance.services.unit_of_work import unit_of_work

# Formats of the UK registers; a doctor prescribes, so the GMC number is checked strictly.
REGISTRATION_FORMATS = {
    "GMC": (re.compile(r"\d{7}"), "A GMC number has exactly 7 digits."),
    "NMC": (re.compile(r"\d{2}[A-Z]\d{4}[A-Z]"), "An NMC PIN looks like 12A3456E."),
    "GPhC": (re.compile(r"\d{7}"), "A GPhC number has exactly 7 digits."),
}


@dataclass
class Profile:
    """The editable facts of an account, as plain values."""

    email: str
    full_name: str
    roles: set[str]
    profession: str = "other"
    register: str | None = None
    registration_number: str | None = None
    access_expires_on: date | None = None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_registration(profile: Profile) -> None:
    number = (profile.registration_number or "").strip().upper() or None
    profile.registration_number = number
    profile.register = profile.register or None
    if PRESCRIBER in profile.roles and not (profile.register and number):
        raise InvalidRegistration("A prescriber needs a professional register and "
                                  "registration number.", field="registration_number")
    if holds(profile, "sign_prescription") and profile.register != "GMC":
        raise InvalidRegistration("A prescribing doctor must be on the GMC register.",
                                  field="register")
    if number and profile.register in REGISTRATION_FORMATS:
        pattern, message = REGISTRATION_FORMATS[profile.register]
        if not pattern.fullmatch(number):
            raise InvalidRegistration(message, field="registration_number")


def _check_profile(profile: Profile, user: User | None = None) -> None:
    profile.email = normalise_email(profile.email)
    profile.full_name = profile.full_name.strip()
    if not profile.roles or not set(profile.roles) <= set(ROLES):
        raise InvalidInput("Choose at least one role.", field="roles")
    existing = find_by_email(profile.email)
    if existing is not None and existing is not user:
        raise DuplicateEmail(field="email")
    _check_registration(profile)


def _apply(user: User, profile: Profile) -> None:
    user.email = profile.email
    user.full_name = profile.full_name
    user.roles = profile.roles
    user.profession = profile.profession
    user.register = profile.register
    user.registration_number = profile.registration_number
    user.access_expires_on = profile.access_expires_on


@unit_of_work("create a user")
def create_user(actor: User | None, profile: Profile, password: str) -> User:
    """Create an account; `actor` None is the command line on a new installation."""
    if actor is not None:
        ensure_can(actor, "manage_users")
    _check_profile(profile)
    check_policy(password, user_inputs=(profile.email, profile.full_name))
    user = User(password_hash=hash_password(password))
    _apply(user, profile)
    db.session.add(user)
    return user


@unit_of_work("change a user")
def update_user(actor: User, user: User, profile: Profile, reason: str) -> User:
    """Change a user's details and roles, saying why."""
    ensure_can(actor, "manage_users")
    _require_reason(reason)
    _check_profile(profile, user)
    give_reason(reason)
    _apply(user, profile)
    return user


def _require_reason(reason: str | None) -> None:
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the change.", field="reason")


@unit_of_work("deactivate or reactivate a user")
def set_active(actor: User, user: User, active: bool, reason: str) -> None:
    """Deactivate (ending every session) or reactivate an account; nobody is deleted."""
    ensure_can(actor, "manage_users")
    _require_reason(reason)
    if user is actor and not active:
        raise InvalidInput("You cannot deactivate your own account.")
    give_reason(reason)
    user.active = active
    user.rotate_session_token()


@unit_of_work("change own password")
def change_password(user: User, current: str, new: str) -> None:
    """A user changes their own password; every other session ends."""
    if not verify_password(user.password_hash, current):
        raise InvalidInput("The current password is incorrect.", field="current_password")
    if current == new:
        raise InvalidInput("Choose a password different from the current one.", field="password")
    check_policy(new, user_inputs=(user.email, user.full_name))
    give_reason("Password changed by the user")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.rotate_session_token()


@unit_of_work("force a password reset")
def force_password_reset(actor: User, user: User) -> str:
    """Give `user` a one-time password to change at next sign-in; returns it once."""
    ensure_can(actor, "manage_users")
    temporary = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    give_reason(f"One-time password issued by {actor.full_name}")
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.rotate_session_token()
    return temporary


@unit_of_work("sign out")
def end_sessions(user: User) -> None:
    """Logout: every cookie issued to this user so far stops working."""
    user = db.session.get(User, user.id, populate_existing=True)
    user.rotate_session_token()
    record_event("logout", actor=actor_of(user), table_name="users", record_id=str(user.id))


def _throttle(email: str) -> LoginThrottle:
    """The email address's counter, locked for this transaction: parallel failed sign-ins
    each count (on PostgreSQL; a SQLite writer already holds the whole database)."""
    table = LoginThrottle.__table__
    db.session.execute(insert_for(db.session)(table).values(email=email, failed_count=0)
                       .on_conflict_do_nothing(index_elements=[table.c.email]))
    return db.session.get(LoginThrottle, email, with_for_update=True, populate_existing=True)


def _lock_message() -> str:
    minutes = int(current_app.config["LOCKOUT_PERIOD"].total_seconds() // 60)
    return (f"Too many failed sign-in attempts: sign-in for this email address is locked "
            f"for {minutes} minutes.")


ANONYMOUS = Actor(None, "anonymous")


def _record_failure(throttle: LoginThrottle, user: User | None) -> LoginRefused:
    throttle.failed_count += 1
    user_id = str(user.id) if user else None
    record_event("login_failed", actor=ANONYMOUS, table_name="users", record_id=user_id,
                 detail=f"Failed sign-in for {throttle.email}")
    if throttle.failed_count >= current_app.config["LOCKOUT_THRESHOLD"]:
        throttle.failed_count = 0
        throttle.locked_until = utcnow() + current_app.config["LOCKOUT_PERIOD"]
        record_event("lockout", actor=ANONYMOUS, table_name="users", record_id=user_id,
                     detail=f"Sign-in for {throttle.email} locked until {throttle.locked_until}")
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
    throttle = _throttle(email)
    if throttle.locked_until and throttle.locked_until > utcnow():
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
    record_event("login_failed", actor=ANONYMOUS, table_name="users",
                 record_id=str(user.id) if user else None,
                 detail=f"Sign-in for {email} refused: {why}")


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))
