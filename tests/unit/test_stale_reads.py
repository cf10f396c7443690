"""A workflow decides on the records as they are when its transaction begins, not as the
page that called it read them a moment before (another user may have changed them since)."""

import pytest
from sqlalchemy import text

from compliance.errors import NoValidPrescription, RecordLocked
from compliance.extensions import db
from compliance.models import Injection, TreatmentSession
from tests.treatment_helpers import days_ago, inject, open_session, treatment_state


def changed_elsewhere(sql: str, **params) -> None:
    """Commit `sql` on a connection of its own, as another user's request would."""
    with db.engine.connect() as other:
        other.execute(text(sql), params)
        other.commit()


def test_an_injection_into_a_session_signed_meanwhile_is_refused(clinic):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    assert db.session.get(TreatmentSession, session.id).status == "open"  # as the page read it
    changed_elsewhere("UPDATE treatment_sessions SET status = 'signed' WHERE id = :id",
                      id=session.id)
    before = treatment_state()
    with pytest.raises(RecordLocked):
        inject(clinic["nurse"], session, clinic["batch"])
    assert treatment_state() == before
    assert db.session.query(Injection).count() == 0


def test_a_session_under_a_prescription_cancelled_meanwhile_is_refused(clinic):
    prescription = clinic["prescription"]
    assert prescription.status == "signed"  # as the page read it
    changed_elsewhere("UPDATE prescriptions SET status = 'cancelled' WHERE id = :id",
                      id=prescription.id)
    before = treatment_state()
    with pytest.raises(NoValidPrescription):
        open_session(clinic["nurse"], clinic["patient"], prescription, days_ago(0))
    assert treatment_state() == before


def test_a_prescription_stays_signed_by_a_doctor_when_the_doctors_roles_change(clinic):
    changed_elsewhere("UPDATE users SET role_names = 'manager' WHERE id = :id",
                      id=clinic["doctor"].id)
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    assert session.id is not None
