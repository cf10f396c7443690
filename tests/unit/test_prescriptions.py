"""Prescriptions (D3): each rule refuses with its own message and writes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from compliance.clock import local_today
from compliance.errors import (
    ContraindicationPresent,
    InvalidInput,
    InvalidValidity,
    NoConsultation,
    NotADoctor,
    NotPermitted,
    NotScreened,
    NotSignable,
    ProductNotInUse,
    RecordLocked,
    SessionNotAuthorised,
    SignatureRefused,
    VolumeAboveMaximum,
)
from compliance.extensions import db
from compliance.models import Prescription
from compliance.services import prescriptions
from compliance.services.prescriptions import PrescriptionDetails
from compliance.services.signatures import signatures_of
from tests.audit_helpers import events
from tests.factories import (
    PASSWORD,
    make_consent,
    make_consultation,
    make_patient,
    make_product,
    make_screening,
    make_user,
)
from tests.patient_helpers import refused

TODAY = local_today


@pytest.fixture
def product(app):
    return make_product("1", max_volume_per_session_ul=8_000)


@pytest.fixture
def patient(users):
    patient = make_patient()
    make_screening(patient, users["doctor"])
    make_consent(patient, users["doctor"])
    return patient


@pytest.fixture
def consultation(users, patient):
    return make_consultation(patient, users["doctor"], on=TODAY() - timedelta(days=3))


def details(product, consultation, **changes) -> PrescriptionDetails:
    values = dict(product_id=product.id, consultation_id=consultation.id,
                  max_volume_per_session_ul=6_000, sessions_authorised=4,
                  valid_from=TODAY(), valid_until=TODAY() + timedelta(days=180),
                  directions="Up to 6 ml per session to thread veins of the legs")
    values.update(changes)
    return PrescriptionDetails(**values)


@pytest.fixture
def draft(users, patient, product, consultation):
    return prescriptions.write_prescription(users["doctor"], patient.id,
                                            details(product, consultation))


def test_a_doctor_writes_a_draft_and_signs_it(users, draft):
    assert draft.status == "draft" and draft.reference == f"RX-{draft.id:06d}"
    signed = prescriptions.sign_prescription(users["doctor"], draft.id, PASSWORD)
    assert signed.status == "signed" and signed.signed_at is not None
    [status] = signatures_of(signed)
    assert status.intact and status.signature.meaning == "prescribed"
    assert status.signature.printed_name == users["doctor"].full_name
    assert status.signature.registration == "GMC 7000001"


@pytest.mark.parametrize("kind", ["nurse", "manager", "inspector"])
def test_only_a_doctor_may_write_a_prescription(users, patient, product, consultation, kind):
    refused(NotADoctor, lambda: prescriptions.write_prescription(
        users[kind], patient.id, details(product, consultation)), "profession is doctor")
    assert events(action="refused")[-1].rule == "D3 prescribed by a doctor"


def test_a_phone_consultation_cannot_support_a_prescription(users, patient, product):
    phone = make_consultation(patient, users["doctor"], mode="phone")
    refused(NoConsultation, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, phone)), "phone consultation cannot support")


def test_a_consultation_finding_the_patient_unsuitable_cannot_support_one(users, patient,
                                                                           product):
    unsuitable = make_consultation(patient, users["doctor"], suitable=False)
    refused(NoConsultation, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, unsuitable)), "not suitable")


def test_another_patients_consultation_cannot_support_one(users, patient, product):
    other = make_consultation(make_patient(), users["doctor"])
    refused(NoConsultation, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, other)), "consultation of this patient")


def test_an_inactive_product_cannot_be_prescribed(users, patient, consultation):
    retired = make_product("3", active=False)
    refused(ProductNotInUse, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(retired, consultation)), "product that is in use")


def test_the_volume_cannot_exceed_the_products_maximum(users, patient, product, consultation):
    error = refused(VolumeAboveMaximum, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, consultation,
                                          max_volume_per_session_ul=8_001)),
        "At most 8 ml per session")
    assert error.field == "max_volume_per_session_ml"


def test_the_volume_must_be_above_zero(users, patient, product, consultation):
    refused(InvalidInput, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, consultation, max_volume_per_session_ul=0)),
        "above zero")


@pytest.mark.parametrize("sessions", [0, 7])
def test_sessions_authorised_are_one_to_six(users, patient, product, consultation, sessions):
    refused(SessionNotAuthorised, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, consultation, sessions_authorised=sessions)),
        "Authorise 1 to 6 sessions")


def test_valid_until_must_be_on_or_after_valid_from(users, patient, product, consultation):
    error = refused(InvalidValidity, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, consultation,
                                          valid_until=TODAY() - timedelta(days=1))),
        "on or after the date it is valid from")
    assert error.field == "valid_until"


def test_a_prescription_cannot_start_before_its_consultation(users, patient, product,
                                                             consultation):
    refused(InvalidValidity, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, consultation,
                                          valid_from=TODAY() - timedelta(days=10))),
        "cannot be valid before the consultation")


def test_a_contraindication_in_the_current_screening_refuses(users, patient, product,
                                                              consultation):
    make_screening(patient, users["nurse"], present=frozenset({"Pregnancy"}))
    refused(ContraindicationPresent, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, consultation)), "Pregnancy")


def test_an_unscreened_patient_cannot_be_prescribed_for(users, product):
    patient = make_patient()
    consultation = make_consultation(patient, users["doctor"])
    refused(NotScreened, lambda: prescriptions.write_prescription(
        users["doctor"], patient.id, details(product, consultation)), "screen the patient")


def test_a_wrong_password_signs_nothing(users, draft):
    refused(SignatureRefused, lambda: prescriptions.sign_prescription(
        users["doctor"], draft.id, "not-the-password"), "password is incorrect")
    assert events(action="signature_refused")[-1].record_id == str(draft.id)


def test_only_the_doctor_who_wrote_a_draft_signs_it(users, draft):
    other = make_user("doctor", registration_number="7000002")
    refused(NotPermitted, lambda: prescriptions.sign_prescription(other, draft.id, PASSWORD),
            "Only the doctor who wrote this draft")


def test_a_draft_is_checked_again_when_signed(users, patient, draft):
    make_screening(patient, users["doctor"], present=frozenset({"History of thrombosis"}))
    refused(ContraindicationPresent, lambda: prescriptions.sign_prescription(
        users["doctor"], draft.id, PASSWORD), "History of thrombosis")


def test_a_signed_prescription_cannot_be_changed(users, product, consultation, draft):
    prescriptions.sign_prescription(users["doctor"], draft.id, PASSWORD)
    refused(RecordLocked, lambda: prescriptions.update_draft(
        users["doctor"], draft.id, details(product, consultation, sessions_authorised=6)),
        "signed and locked")
    refused(RecordLocked, lambda: prescriptions.sign_prescription(
        users["doctor"], draft.id, PASSWORD), "signed and locked")


def test_a_draft_can_be_changed_by_its_doctor(users, product, consultation, draft):
    prescriptions.update_draft(users["doctor"], draft.id,
                               details(product, consultation, sessions_authorised=6))
    assert draft.sessions_authorised == 6


def test_cancelling_needs_a_reason_and_happens_once(users, draft):
    refused(InvalidInput, lambda: prescriptions.cancel_prescription(users["doctor"], draft.id, " "),
            "reason for cancelling")
    prescriptions.cancel_prescription(users["doctor"], draft.id, "Patient moved away")
    assert draft.status == "cancelled" and draft.cancelled_reason == "Patient moved away"
    refused(RecordLocked, lambda: prescriptions.cancel_prescription(
        users["doctor"], draft.id, "Again"), "already cancelled")


def test_a_replacement_cancels_the_old_prescription_only_when_signed(users, draft):
    doctor = users["doctor"]
    prescriptions.sign_prescription(doctor, draft.id, PASSWORD)
    new = prescriptions.replace_prescription(doctor, draft.id)
    assert new.replaces_id == draft.id and new.status == "draft" and draft.status == "signed"
    refused(NotSignable, lambda: prescriptions.replace_prescription(doctor, draft.id),
            "already a draft replacing")
    prescriptions.sign_prescription(doctor, new.id, PASSWORD)
    assert draft.status == "cancelled"
    assert draft.cancelled_reason == f"Replaced by {new.reference}"
    assert signatures_of(draft)[0].intact  # cancelling is not a change to what was signed


def test_a_draft_cannot_be_replaced(users, draft):
    refused(NotSignable, lambda: prescriptions.replace_prescription(users["doctor"], draft.id),
            "Only a signed prescription can be replaced")


def test_another_doctor_cannot_change_a_draft(users, product, consultation, draft):
    other = make_user("doctor", registration_number="7000003")
    refused(NotPermitted, lambda: prescriptions.update_draft(
        other, draft.id, details(product, consultation, sessions_authorised=6)),
        "Only the doctor who wrote this draft")


def test_a_nurse_cannot_sign_or_cancel_a_prescription(users, draft):
    refused(NotADoctor, lambda: prescriptions.sign_prescription(users["nurse"], draft.id, PASSWORD),
            "profession is doctor")
    refused(NotADoctor, lambda: prescriptions.cancel_prescription(users["nurse"], draft.id, "x"),
            "profession is doctor")



def test_a_prescription_is_acted_on_as_it_is_now_not_as_it_was_read(users, draft):
    """Another writer cancels the draft after this session read it: signing is refused, and
    nothing is signed."""
    assert draft.status == "draft"  # as a view read it, before the write began
    with db.engine.begin() as other:
        other.execute(update(Prescription).where(Prescription.id == draft.id)
                      .values(status="cancelled", cancelled_reason="Cancelled elsewhere"))
    with pytest.raises(RecordLocked, match="cancelled and cannot be changed"):
        prescriptions.sign_prescription(users["doctor"], draft.id, PASSWORD)
    assert draft.status == "cancelled" and signatures_of(draft) == []
