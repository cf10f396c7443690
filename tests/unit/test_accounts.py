"""Account rules: each refusal says why and writes nothing."""

from datetime import date

import pytest
from sqlalchemy import func, select

from compliance.errors import (
    AccountLocked,
    DuplicateEmail,
    InvalidInput,
    InvalidRegistration,
    LoginRefused,
    NotPermitted,
)
from compliance.extensions import db
from compliance.models import AuditEvent, LoginThrottle, User
from compliance.services import accounts, sign_in
from compliance.services.accounts import Profile
from tests.concurrency import at_once
from tests.factories import PASSWORD, make_user

GOOD_PASSWORD = "Sclero-Ledger-Witness-42"


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def doctor_profile(**changes) -> Profile:
    values = dict(email="New.Doctor@Test.Clinic", full_name="Dr New", roles={"prescriber"},
                  profession="doctor", register="GMC", registration_number="1234567")
    values.update(changes)
    return Profile(**values)


def test_create_user_normalises_email_and_hashes_password(app, users):
    user = accounts.create_user(users["manager"], doctor_profile(), GOOD_PASSWORD)
    assert user.email == "new.doctor@test.clinic"
    assert user.password_hash != GOOD_PASSWORD and user.password_hash.startswith("$argon2id$")
    assert user.registration == "GMC 1234567"


@pytest.mark.parametrize("changes, error, field", [
    (dict(registration_number="123456"), InvalidRegistration, "registration_number"),
    (dict(registration_number=None), InvalidRegistration, "registration_number"),
    (dict(register="NMC", registration_number="12A3456E"), InvalidRegistration, "register"),
    (dict(roles=set()), InvalidInput, "roles"),
    (dict(roles={"pilot"}), InvalidInput, "roles"),
    (dict(email="not-an-email"), InvalidInput, "email"),
    (dict(email="x@clinic.test"), InvalidInput, "email"),  # a reserved domain
    (dict(full_name="  "), InvalidInput, "full_name"),
    (dict(full_name="Dr\x00New"), InvalidInput, "full_name"),
    (dict(profession="wizard"), InvalidInput, "profession"),
    (dict(access_expires_on=date(1, 1, 1)), InvalidInput, "access_expires_on"),
])
def test_invalid_profiles_are_refused_and_nothing_is_written(app, users, changes, error, field):
    before = user_count()
    with pytest.raises(error) as refusal:
        accounts.create_user(users["manager"], doctor_profile(**changes), GOOD_PASSWORD)
    assert refusal.value.field == field
    db.session.rollback()
    assert user_count() == before


def test_email_is_unique_whatever_its_case(app, users):
    before = user_count()
    with pytest.raises(DuplicateEmail):
        accounts.create_user(users["manager"], doctor_profile(email=users["doctor"].email.upper()),
                             GOOD_PASSWORD)
    db.session.rollback()
    assert user_count() == before


def test_a_nurse_prescriber_needs_a_valid_nmc_pin(app, users):
    profile = doctor_profile(profession="nurse", register="NMC", registration_number="1234567")
    with pytest.raises(InvalidRegistration, match="NMC PIN"):
        accounts.create_user(users["manager"], profile, GOOD_PASSWORD)


def test_only_managers_create_users(app, users):
    before = user_count()
    for kind in ("doctor", "nurse", "inspector"):
        with pytest.raises(NotPermitted):
            accounts.create_user(users[kind], doctor_profile(), GOOD_PASSWORD)
    assert user_count() == before


def test_deactivation_needs_a_reason_and_rotates_the_session_token(app, users):
    nurse = users["nurse"]
    token = nurse.session_token
    with pytest.raises(InvalidInput):
        accounts.set_active(users["manager"], nurse.id, False, "  ")
    db.session.rollback()
    assert nurse.active
    accounts.set_active(users["manager"], nurse.id, False, "left the clinic")
    assert not nurse.active and nurse.session_token != token


def test_a_manager_cannot_deactivate_themselves(app, users):
    with pytest.raises(InvalidInput):
        accounts.set_active(users["manager"], users["manager"].id, False, "testing")


def test_change_password_checks_the_current_one(app):
    user = make_user("nurse")
    with pytest.raises(InvalidInput, match="current password"):
        accounts.change_password(user, "wrong-password-entirely", GOOD_PASSWORD)
    accounts.change_password(user, PASSWORD, GOOD_PASSWORD)
    assert sign_in.authenticate(user.email, GOOD_PASSWORD) is user


def test_forced_reset_issues_a_one_time_password(app, users):
    nurse = users["nurse"]
    temporary = accounts.force_password_reset(users["manager"], nurse.id)
    assert nurse.must_change_password
    assert sign_in.authenticate(nurse.email, temporary) is nurse


def test_failed_sign_ins_at_the_same_moment_each_count_towards_the_lock(app, users):
    """Ten wrong passwords sent at once for one address: every one is counted, so the
    address is locked (on PostgreSQL the counter's row is locked for each attempt)."""
    email = users["nurse"].email

    def attempt(ready):
        ready()
        try:
            return sign_in.authenticate(email, "Wrong-Password-Here-1")
        except LoginRefused as refusal:
            return refusal

    outcomes = [type(o).__name__ for o in at_once(app, [attempt] * 10)
                if isinstance(o, LoginRefused)]
    assert len(outcomes) == 10
    db.session.rollback()
    throttle = db.session.get(LoginThrottle, email)
    assert throttle.locked_until is not None and "AccountLocked" in outcomes


def test_wrong_current_passwords_count_towards_the_lock_like_sign_in(app):
    """A hijacked session cannot guess the password on the change-password form (D6)."""
    user = make_user("nurse")
    for _ in range(5):
        with pytest.raises(InvalidInput, match="current password is incorrect"):
            accounts.change_password(user, "wrong-password-entirely", GOOD_PASSWORD)
    with pytest.raises(InvalidInput, match="locked for 15 minutes"):
        accounts.change_password(user, PASSWORD, GOOD_PASSWORD)  # even the right one
    with pytest.raises(AccountLocked):
        sign_in.authenticate(user.email, PASSWORD)
    failed = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "login_failed", AuditEvent.record_id == str(user.id)))
    assert failed == 5
