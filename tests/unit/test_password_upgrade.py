"""Older password hashes replaced by argon2id at sign-in, audited; recovery codes hashed
with argon2id like passwords."""

import pytest
from argon2 import extract_parameters
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from compliance.errors import AccountInactive, LoginRefused
from compliance.extensions import db
from compliance.models import RecoveryCode, User
from compliance.services import audit, second_factor, sign_in
from compliance.services.passwords import needs_rehash, verify_password
from tests.audit_helpers import changes, events
from tests.factories import PASSWORD, make_user
from tests.second_factor_helpers import enrol

# Werkzeug's scrypt at the test suite's old work factor: cheap, and the same format.
OLD_METHOD = "scrypt:1024:8:1"


def stored_hash(user: User) -> str:
    return db.session.scalar(select(User.password_hash).where(User.id == user.id))


def store(user: User, password_hash: str, **values) -> None:
    db.session.execute(update(User).where(User.id == user.id).values(
        password_hash=password_hash, **values))
    db.session.commit()


def updates_of(user: User) -> list:
    return events(table_name="users", record_id=str(user.id), action="update")


def test_an_old_scrypt_hash_is_replaced_by_argon2id_at_sign_in_and_audited(app):
    nurse = make_user("nurse")
    old = generate_password_hash(PASSWORD, method=OLD_METHOD)
    store(nurse, old)
    sign_in.authenticate(nurse.email, PASSWORD)
    new = stored_hash(nurse)
    assert new.startswith("$argon2id$") and not needs_rehash(new)
    assert verify_password(new, PASSWORD)
    change = updates_of(nurse)[-1]
    assert changes(change) == {"password_hash": [audit.redacted(old), audit.redacted(new)]}
    assert old not in change.changes and new not in change.changes
    assert change.actor_id == nurse.id and "upgraded at sign-in" in change.reason
    login = events(action="login")[-1]
    assert login.actor_id == nurse.id and login.seq > change.seq and login.reason is None


def test_raised_argon2_parameters_re_hash_at_the_next_sign_in(app):
    nurse = make_user("nurse")
    before = stored_hash(nurse)
    app.config["PASSWORD_HASH_TIME_COST"] += 1
    sign_in.authenticate(nurse.email, PASSWORD)
    after = stored_hash(nurse)
    assert after != before
    assert extract_parameters(after).time_cost == app.config["PASSWORD_HASH_TIME_COST"]


def test_a_current_hash_is_left_alone_at_sign_in(app):
    nurse = make_user("nurse")
    before, updates = stored_hash(nurse), len(updates_of(nurse))
    sign_in.authenticate(nurse.email, PASSWORD)
    assert stored_hash(nurse) == before and len(updates_of(nurse)) == updates


@pytest.mark.parametrize("password, values, error", [
    ("not-the-password-at-all", {}, LoginRefused),
    (PASSWORD, {"active": False}, AccountInactive),
])
def test_a_refused_sign_in_keeps_the_old_hash(app, password, values, error):
    nurse = make_user("nurse")
    old = generate_password_hash(PASSWORD, method=OLD_METHOD)
    store(nurse, old, **values)
    with pytest.raises(error):
        sign_in.authenticate(nurse.email, password)
    assert stored_hash(nurse) == old and not updates_of(nurse)


def test_the_hash_is_upgraded_at_the_password_step_of_a_second_factor_sign_in(app):
    manager = make_user("manager")
    totp, _codes = enrol(manager)
    store(manager, generate_password_hash(PASSWORD, method=OLD_METHOD))
    half_way = sign_in.authenticate(manager.email, PASSWORD)
    assert stored_hash(manager).startswith("$argon2id$")
    signed_in = sign_in.second_step(half_way.id, half_way.session_token, totp.now())
    assert signed_in.id == manager.id


def test_recovery_codes_are_hashed_with_argon2id(app):
    manager = make_user("manager")
    _totp, codes = enrol(manager)
    hashes = db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == manager.id)).all()
    assert len(hashes) == len(codes) and all(h.startswith("$argon2id$") for h in hashes)
    assert second_factor.matching_recovery_code(manager.id, codes[3]) is not None


def test_an_old_scrypt_recovery_code_is_still_accepted(app):
    manager = make_user("manager")
    _totp, codes = enrol(manager)
    first = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == manager.id).order_by(RecoveryCode.id)).first()
    first.code_hash = generate_password_hash("abcde23456", method=OLD_METHOD)
    db.session.commit()
    assert second_factor.matching_recovery_code(manager.id, "abcde-23456") == first.id
