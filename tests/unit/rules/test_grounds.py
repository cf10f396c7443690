"""Rules 1 to 3 on plain facts: who may treat, the prescription, screening, consultation and
consent."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from compliance.errors import (
    ContraindicationPresent,
    NoConsent,
    NoConsultation,
    NotScreened,
    NoValidPrescription,
)
from compliance.rules.facts import ConsultationFacts, ScreeningFacts
from compliance.rules.grounds import (
    check_consent,
    check_consultation,
    check_contraindications,
    check_grounds,
    check_prescription,
    check_screened_clear,
)
from tests.unit.rules.builders import (
    ON,
    PATIENT_ID,
    PRODUCT_ID,
    consent,
    grounds,
    prescription,
    refusal,
)

DAY = timedelta(days=1)


def test_a_prescription_signed_by_a_doctor_and_valid_on_the_day_is_accepted():
    check_prescription(prescription(), PATIENT_ID, PRODUCT_ID, ON)


@pytest.mark.parametrize("chosen, patient_id, product_id", [
    (None, PATIENT_ID, PRODUCT_ID),
    (prescription(), PATIENT_ID + 1, PRODUCT_ID),
    (prescription(), PATIENT_ID, PRODUCT_ID + 1),
])
def test_no_prescription_for_this_patient_and_product_is_refused(chosen, patient_id,
                                                                 product_id):
    error = refusal(NoValidPrescription, check_prescription, chosen, patient_id, product_id, ON)
    assert error.message == NoValidPrescription.default_message
    assert error.field == "prescription_id"


def test_a_prescription_not_signed_by_a_doctor_is_refused():
    error = refusal(NoValidPrescription, check_prescription,
                    prescription(signed_by_doctor=False), PATIENT_ID, PRODUCT_ID, ON)
    assert error.message == ("Prescription RX-000012 is not signed by a doctor (or was "
                             "cancelled).")
    assert error.field == "prescription_id"


@pytest.mark.parametrize("on", [date(2026, 1, 1), date(2026, 6, 30)])
def test_a_prescription_is_valid_on_its_first_and_last_day(on):
    check_prescription(prescription(), PATIENT_ID, PRODUCT_ID, on)


@pytest.mark.parametrize("on", [date(2025, 12, 31), date(2026, 7, 1)])
def test_a_prescription_is_refused_the_day_before_and_after_its_validity(on):
    error = refusal(NoValidPrescription, check_prescription, prescription(), PATIENT_ID,
                    PRODUCT_ID, on)
    assert error.message == ("Prescription RX-000012 is valid from 01 Jan 2026 to 30 Jun 2026, "
                             f"not on {on:%d %b %Y}.")
    assert error.field == "prescription_id"


def test_no_screening_on_record_is_refused():
    error = refusal(ContraindicationPresent, check_contraindications, None)
    assert error.message == "No screening for contraindications is on record."


def test_a_contraindication_present_is_refused():
    screening = ScreeningFacts(present=("Pregnancy", "Known allergy to STS"), unanswered=())
    error = refusal(ContraindicationPresent, check_contraindications, screening)
    assert error.message == "Contraindication present: Pregnancy, Known allergy to STS."


def test_a_screening_that_leaves_a_question_in_use_unanswered_is_refused():
    screening = ScreeningFacts(present=(), unanswered=("Recent DVT",))
    error = refusal(ContraindicationPresent, check_contraindications, screening)
    assert error.message == ("The screening does not answer: Recent DVT. Screen the patient "
                             "again.")


def test_a_clear_and_complete_screening_is_accepted():
    check_contraindications(ScreeningFacts(present=(), unanswered=()))


@pytest.mark.parametrize("consultation", [
    None,
    ConsultationFacts(supports_prescription=False, held_on=ON),
    ConsultationFacts(supports_prescription=True, held_on=ON + DAY),
])
def test_no_consultation_finding_the_patient_suitable_by_the_day_is_refused(consultation):
    error = refusal(NoConsultation, check_consultation, prescription(consultation=consultation),
                    ON)
    assert error.message == NoConsultation.default_message


def test_a_consultation_held_on_the_day_is_accepted():
    check_consultation(prescription(consultation=ConsultationFacts(True, ON)), ON)


@pytest.mark.parametrize("consents", [
    (),
    (consent(consented_on=ON + DAY),),
    (consent(consented_on=ON - DAY, withdrawn_on=ON),),
])
def test_no_consent_in_force_on_the_day_is_refused(consents):
    error = refusal(NoConsent, check_consent, consents, ON)
    assert error.message == "There is no consent on record for this patient."


@pytest.mark.parametrize("consents", [
    (consent(consented_on=ON),),
    (consent(consented_on=ON - DAY, withdrawn_on=ON + DAY),),
    (consent(consented_on=ON - DAY, withdrawn_on=ON - DAY), consent(consented_on=ON)),
])
def test_consent_given_by_the_day_and_not_withdrawn_by_it_is_accepted(consents):
    check_consent(consents, ON)


def test_grounds_are_checked_in_the_order_of_the_rules():
    nothing = grounds(prescription=None, screening=None, consents=())
    refusal(NoValidPrescription, check_grounds, nothing)
    refusal(ContraindicationPresent, check_grounds, replace(nothing, prescription=prescription()))
    refusal(NoConsultation, check_grounds, grounds(prescription=prescription(consultation=None),
                                                   consents=()))
    refusal(NoConsent, check_grounds, grounds(consents=()))


def test_valid_grounds_give_back_the_prescription():
    assert check_grounds(grounds()) == prescription()


def test_prescribing_needs_a_screening_on_record():
    error = refusal(NotScreened, check_screened_clear, None)
    assert error.message == NotScreened.default_message


def test_prescribing_is_refused_while_the_screening_records_a_contraindication():
    error = refusal(ContraindicationPresent, check_screened_clear,
                    ScreeningFacts(present=("Pregnancy",), unanswered=()))
    assert error.message == ("The current screening records a contraindication: Pregnancy. "
                             "Treatment cannot be prescribed.")


def test_prescribing_asks_only_what_the_screening_found():
    check_screened_clear(ScreeningFacts(present=(), unanswered=("Recent DVT",)))
