"""Electronic signatures: password again, who, registration, when, meaning, and the record."""

import pytest

from compliance.errors import SignatureRefused
from compliance.extensions import db
from compliance.models import Signature
from compliance.services.signatures import sign, signatures_of
from compliance.services.unit_of_work import unit_of_work
from tests.audit_helpers import changes, events, execute_raw
from tests.factories import PASSWORD


def signed_record(users):
    """The nurse's account stands in for any signed record: the mechanism is generic."""
    doctor, record = users["doctor"], users["nurse"]
    sign(record, doctor, PASSWORD, "prescribed")
    db.session.commit()
    return doctor, record


@unit_of_work("sign a record")
def sign_in_a_workflow(signer, record, password: str):
    return sign(record, signer, password, "prescribed")


def test_a_wrong_password_is_refused_audited_and_nothing_is_signed(app, users):
    with pytest.raises(SignatureRefused, match="password is incorrect"):
        sign_in_a_workflow(users["doctor"], users["nurse"], "not-my-password")
    assert db.session.query(Signature).count() == 0
    refused = events(action="signature_refused")[-1]
    assert refused.actor_id == users["doctor"].id and refused.record_id == str(users["nurse"].id)


def test_a_signature_shows_name_registration_time_and_meaning(app, users):
    doctor, record = signed_record(users)
    [status] = signatures_of(record)
    signature = status.signature
    assert signature.printed_name == doctor.full_name
    assert signature.registration == "GMC 7000001"
    assert signature.meaning == "prescribed" and signature.signed_at is not None
    assert status.intact and status.label == "intact"


def test_a_signature_is_an_audit_event(app, users):
    doctor, record = signed_record(users)
    created = events(table_name="signatures", action="create")[-1]
    assert created.actor_id is None or created.actor_name in ("system", doctor.full_name)
    assert changes(created)["meaning"] == [None, "prescribed"]
    assert changes(created)["record_id"] == [None, str(record.id)]


def test_editing_a_signed_record_by_raw_sql_shows_changed_after_signing(app, users):
    _doctor, record = signed_record(users)
    execute_raw("UPDATE users SET full_name = 'Someone Else' WHERE id = :id", id=record.id)
    db.session.expire_all()
    [status] = signatures_of(record)
    assert not status.intact and status.label == "changed after signing"


def test_signatures_themselves_cannot_be_edited(app, users):
    signed_record(users)
    with pytest.raises(Exception, match="append-only"):
        execute_raw("UPDATE signatures SET meaning = 'administered'")
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        execute_raw("DELETE FROM signatures")


def test_an_unknown_meaning_is_a_programming_error(app, users):
    with pytest.raises(ValueError):
        sign(users["nurse"], users["doctor"], PASSWORD, "approved-ish")


def test_a_password_checked_in_advance_signs_only_while_it_still_holds(app, users):
    """Sign-off checks the password before taking the write lock; the signature still refuses
    a wrong password, a password changed since the check, and a credential not made by it."""
    from sqlalchemy import update

    from compliance.models import User
    from compliance.services.passwords import hash_password
    from compliance.services.signatures import Credential, checked

    doctor, record = users["doctor"], users["nurse"]
    for credential in (checked(doctor, "not-my-password"),
                       Credential(doctor.id, doctor.password_hash, True)):  # not from `checked`
        with pytest.raises(SignatureRefused):
            sign(record, doctor, credential, "prescribed")
    credential = checked(doctor, PASSWORD)
    db.session.execute(update(User).where(User.id == doctor.id)
                       .values(password_hash=hash_password("Another-Long-Passphrase-7")))
    db.session.commit()  # changed since the check
    with pytest.raises(SignatureRefused):
        sign(record, doctor, credential, "prescribed")
    assert db.session.query(Signature).count() == 0
    sign(record, doctor, checked(doctor, "Another-Long-Passphrase-7"), "prescribed")
    db.session.commit()
    assert db.session.query(Signature).count() == 1
