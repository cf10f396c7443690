"""Accounts: creating and changing users and their passwords (D1)."""

import re
import secrets
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from compliance.errors import DuplicateEmail, InvalidInput, InvalidRegistration
from compliance.extensions import db
from compliance.inputs import date_range, text_problem
from compliance.models import User
from compliance.models.user import PROFESSIONS
from compliance.permissions import ROLES, holds
from compliance.services import ensure_can, reread, user_locations
from compliance.services.audit import current_actor, give_reason
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
    # Where the account works (D7): every location, or those named by id; None leaves an
    # existing account's locations as they are (see user_locations.check).
    all_locations: bool = False
    location_ids: set[int] | None = None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_prescriber_registration(profile: Profile) -> None:
    if not (profile.register and profile.registration_number):
        raise InvalidRegistration("A prescriber needs a professional register and "
                                  "registration number.", field="registration_number")
    if holds(profile, "sign_prescription") and profile.register != "GMC":
        raise InvalidRegistration("A prescribing doctor must be on the GMC register.",
                                  field="register")


def _check_registration(profile: Profile) -> None:
    number = (profile.registration_number or "").strip().upper() or None
    profile.registration_number = number
    profile.register = profile.register or None
    if holds(profile, "record_treatment"):
        _check_prescriber_registration(profile)
    if number and profile.register in REGISTRATION_FORMATS:
        pattern, message = REGISTRATION_FORMATS[profile.register]
        if not pattern.fullmatch(number):
            raise InvalidRegistration(message, field="registration_number")


def profile_of(user: User) -> Profile:
    """The account's editable facts as they are now, to change one of them."""
    return Profile(user.email, user.full_name, set(user.roles), user.profession, user.register,
                   user.registration_number, user.access_expires_on, user.all_locations,
                   user_locations.assigned_ids(user))


def _check_email(email: str) -> None:
    """The web form's check (WTForms' Email uses the same library), for every caller."""
    problem = text_problem(email, 254)
    if problem:
        raise InvalidInput(problem, field="email")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(f"Enter a valid email address: {error}", field="email") from error


def _check_name(full_name: str) -> None:
    if not full_name:
        raise InvalidInput("Enter the full name.", field="full_name")
    problem = text_problem(full_name, 120)
    if problem:
        raise InvalidInput(problem, field="full_name")


def _check_end_date(ends_on: date | None) -> None:
    first, last = date_range()
    if ends_on is not None and not first <= ends_on <= last:
        raise InvalidInput(f"Enter an access end date from {first:%d %b %Y} to "
                           f"{last:%d %b %Y}.", field="access_expires_on")


def check_profile(profile: Profile, user: User | None = None) -> None:
    profile.email = normalise_email(profile.email)
    profile.full_name = (profile.full_name or "").strip()
    _check_email(profile.email)
    _check_name(profile.full_name)
    _check_end_date(profile.access_expires_on)
    if profile.profession not in PROFESSIONS:
        raise InvalidInput(f"Choose a profession: {', '.join(PROFESSIONS)}.", field="profession")
    if not profile.roles or not set(profile.roles) <= set(ROLES):
        raise InvalidInput("Choose at least one role.", field="roles")
    existing = find_by_email(profile.email)
    if existing is not None and existing is not user:
        raise DuplicateEmail(field="email")
    _check_registration(profile)
    user_locations.check(profile, user)


def apply_profile(user: User, profile: Profile) -> None:
    user.email = profile.email
    user.full_name = profile.full_name
    user.roles = profile.roles
    user.profession = profile.profession
    user.register = profile.register
    user.registration_number = profile.registration_number
    user.access_expires_on = profile.access_expires_on


def ensure_manager(actor: User | None) -> None:
    """Refuse unless `actor` manages users; None is the command line's operator, who holds
    the server itself."""
    if actor is not None:
        ensure_can(actor, "manage_users")


@unit_of_work("create a user")
def create_user(actor: User | None, profile: Profile, password: str, *,
                demo: bool = False) -> User:
    """Create an account; `actor` None is the command line (a new installation's first
    manager, for example), and `demo` lets the demo loader give its accounts their published
    passwords."""
    ensure_manager(actor)
    check_profile(profile)
    check_policy(password, user_inputs=(profile.email, profile.full_name), demo=demo)
    user = User(password_hash=hash_password(password))
    apply_profile(user, profile)
    db.session.add(user)
    user_locations.assign(actor, user, profile)
    return user


@unit_of_work("change a user")
def update_user(actor: User | None, user_id: int, profile: Profile, reason: str) -> User:
    """Change a user's details and roles, saying why."""
    ensure_manager(actor)
    _require_reason(reason)
    user = _account(user_id)
    check_profile(profile, user)
    give_reason(reason)
    apply_profile(user, profile)
    user_locations.assign(actor, user, profile)
    return user


def _account(user_id: int) -> User:
    return reread(User, user_id, "No such user.")


def _require_reason(reason: str | None) -> None:
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the change.", field="reason")


@unit_of_work("deactivate or reactivate a user")
def set_active(actor: User | None, user_id: int, active: bool, reason: str) -> User:
    """Deactivate (ending every session) or reactivate an account; nobody is deleted."""
    ensure_manager(actor)
    _require_reason(reason)
    if actor is not None and user_id == actor.id and not active:
        raise InvalidInput("You cannot deactivate your own account.")
    user = _account(user_id)
    give_reason(reason)
    user.active = active
    user.rotate_session_token()
    return user


@unit_of_work("change own password")
def change_password(actor: User, current: str, new: str) -> None:
    """A user changes their own password; every other session ends."""
    from compliance.services import lockout  # it reads accounts' own helpers

    user = _account(actor.id)
    if lockout.is_locked(lockout.throttle(user.email)):
        raise InvalidInput(f"Too many wrong passwords: this account is locked for "
                           f"{lockout.lock_minutes()} minutes.", field="current_password")
    if not verify_password(user.password_hash, current):
        refusal = InvalidInput("The current password is incorrect.", field="current_password")
        email, user_id = user.email, user.id
        refusal.refusal_writes.append(lambda: lockout.count_wrong_password(
            email, user_id, "as the current password, to change it"))
        raise refusal
    if current == new:
        raise InvalidInput("Choose a password different from the current one.", field="password")
    check_policy(new, user_inputs=(user.email, user.full_name))
    give_reason("Password changed by the user")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.rotate_session_token()


def one_time_password() -> str:
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


@unit_of_work("force a password reset")
def force_password_reset(actor: User | None, user_id: int) -> str:
    """Give the user a one-time password to change at next sign-in; returns it once."""
    ensure_manager(actor)
    user = _account(user_id)
    temporary = one_time_password()
    give_reason(f"One-time password issued by {current_actor().name}")
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.rotate_session_token()
    return temporary
