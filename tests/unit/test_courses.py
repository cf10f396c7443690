"""A course (D4.4) runs across replacements, and a new one waits until the last is over."""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from compliance.errors import CourseInProgress, SessionNotAuthorised
from compliance.services import prescriptions, treatment
from compliance.services.prescriptions import PrescriptionDetails
from tests.audit_helpers import events
from tests.factories import PASSWORD, make_prescription, ready_patient
from tests.patient_helpers import refused
from tests.treatment_helpers import days_ago, inject, open_session, treatment_state


def full_session(clinic, prescription, on):
    nurse = clinic["nurse"]
    session = open_session(nurse, clinic["patient"], prescription, on)
    inject(nurse, session, clinic["batch"], 1_000)
    return treatment.sign_session(nurse, session.id, PASSWORD)


def replaced(clinic, prescription):
    """`prescription` replaced by a signed copy of it."""
    doctor = clinic["doctor"]
    replacement = prescriptions.replace_prescription(doctor, prescription.id)
    return prescriptions.sign_prescription(doctor, replacement.id, PASSWORD)


def new_details(prescription, **changes) -> PrescriptionDetails:
    values = dict(product_id=prescription.product_id,
                  consultation_id=prescription.consultation_id, max_volume_per_session_ul=6_000,
                  sessions_authorised=6, valid_from=local_today(),
                  valid_until=local_today() + timedelta(days=180))
    return PrescriptionDetails(**{**values, **changes})


def in_progress_message(prescription, left: int) -> str:
    return (f"{prescription.reference} for {prescription.product.name} is still valid, until "
            f"{prescription.valid_until:%d %b %Y}, with {left} sessions left: cancel it (with a "
            "reason) or replace it instead of writing a new prescription.")


def test_a_replacement_continues_the_course_and_a_seventh_session_is_refused(clinic):
    old = clinic["prescription"]
    for n in range(6):
        full_session(clinic, old, days_ago(28 * (7 - n)))
    replacement = replaced(clinic, old)
    before = treatment_state()
    with pytest.raises(SessionNotAuthorised) as refusal:
        open_session(clinic["nurse"], clinic["patient"], replacement, days_ago(0))
    assert refusal.value.message == (f"Prescription {replacement.reference} authorises 6 "
                                     "sessions; this would be session 7.")
    assert treatment_state() == before


def test_sessions_under_a_replacement_are_numbered_on_from_the_course(clinic):
    old = clinic["prescription"]
    full_session(clinic, old, days_ago(90))
    full_session(clinic, old, days_ago(60))
    replacement = replaced(clinic, old)
    twice_replaced = replaced(clinic, replacement)
    assert full_session(clinic, twice_replaced, days_ago(30)).session_number == 3
    assert full_session(clinic, twice_replaced, days_ago(0)).session_number == 4


def test_a_new_prescription_is_refused_while_the_course_has_sessions_left(clinic):
    rx = clinic["prescription"]
    full_session(clinic, rx, days_ago(30))
    error = refused(CourseInProgress, lambda: prescriptions.write_prescription(
        clinic["doctor"], clinic["patient"].id, new_details(rx)), "still valid")
    assert error.message == in_progress_message(rx, 5)
    assert events(action="refused")[-1].rule == "D4.4 one course at a time"


def test_a_draft_is_refused_when_signed_if_another_course_was_signed_meanwhile(users, clinic):
    patient, first = ready_patient(users, clinic["product"], signed=False)
    second = make_prescription(patient, clinic["product"], users["doctor"], first.consultation,
                               signed=False)
    prescriptions.sign_prescription(users["doctor"], first.id, PASSWORD)
    error = refused(CourseInProgress, lambda: prescriptions.sign_prescription(
        users["doctor"], second.id, PASSWORD), "still valid")
    assert error.message == in_progress_message(first, 6)
    assert second.status == "draft"


def test_a_new_course_may_begin_once_the_last_is_complete(users, clinic):
    patient, rx = ready_patient(users, clinic["product"], sessions=1)
    open_session(clinic["nurse"], patient, rx, days_ago(30))
    new = prescriptions.write_prescription(users["doctor"], patient.id, new_details(rx))
    assert prescriptions.sign_prescription(users["doctor"], new.id, PASSWORD).status == "signed"


def test_a_cancelled_prescription_leaves_room_for_a_new_one(clinic):
    rx, doctor = clinic["prescription"], clinic["doctor"]
    prescriptions.cancel_prescription(doctor, rx.id, "Wrong strength chosen")
    new = prescriptions.write_prescription(doctor, clinic["patient"].id, new_details(rx))
    assert new.status == "draft" and new.replaces_id is None


def test_a_draft_changed_into_a_new_course_is_refused_too(users, clinic):
    patient, draft = ready_patient(users, clinic["product"], signed=False)
    make_prescription(patient, clinic["product"], users["doctor"], draft.consultation)
    refused(CourseInProgress, lambda: prescriptions.update_draft(
        users["doctor"], draft.id, new_details(draft)), "still valid")
