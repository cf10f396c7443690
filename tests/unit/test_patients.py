"""Patients, screening, consent and consultations (D3): rules refuse and write nothing."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from compliance.clock import local_today
from compliance.errors import (
    ConsentAlreadyWithdrawn,
    IncompleteScreening,
    InvalidInput,
    NotPermitted,
    RecordLocked,
)
from compliance.extensions import db
from compliance.models import Contraindication
from compliance.services import clinical, patients, screening
from compliance.services.clinical import ConsentDetails, ConsultationDetails
from compliance.services.patients import PatientDetails
from tests.factories import (
    SIGNATURE,
    make_consent,
    make_consultation,
    make_patient,
    make_prescription,
    make_product,
    make_screening,
)
from tests.patient_helpers import refused

TODAY = local_today


@pytest.fixture
def patient(app):
    return make_patient()


def person(**changes) -> PatientDetails:
    values = dict(first_name="Sarah", last_name="O'Connor", date_of_birth=date(1979, 3, 2),
                  sex="female", phone="07700 900456", email="Sarah@Example.org",
                  address="4 Mill Lane", gp_practice="Riverside Surgery")
    values.update(changes)
    return PatientDetails(**values)


def test_registration_gives_unique_sequential_reference_numbers(users):
    first = patients.register_patient(users["manager"], person())
    second = patients.register_patient(users["nurse"], person(first_name="Tom", sex="male"))
    assert first.reference == "P000001" and second.reference == "P000002"
    assert first.email == "sarah@example.org"


def test_references_follow_the_highest_existing_one(users):
    make_patient(reference="P000041")
    assert patients.register_patient(users["manager"], person()).reference == "P000042"


def test_an_inspector_cannot_register_a_patient(users):
    refused(NotPermitted, lambda: patients.register_patient(users["inspector"], person()),
            "does not allow")


@pytest.mark.parametrize("changes, field, message", [
    (dict(date_of_birth=date.today() + timedelta(days=2)), "date_of_birth", "future"),
    (dict(first_name="  "), "first_name", "first and last names"),
    (dict(sex="unknown"), "sex", "listed options"),
    (dict(gp_visit_confirmed_on=date.today() + timedelta(days=2)), "gp_visit_confirmed_on",
     "future date"),
])
def test_bad_patient_details_are_refused(users, changes, field, message):
    error = refused(InvalidInput, lambda: patients.register_patient(users["manager"],
                                                                     person(**changes)), message)
    assert error.field == field


def test_changing_a_patient_needs_a_reason(users):
    patient = make_patient()
    refused(InvalidInput, lambda: patients.update_patient(users["manager"], patient.id,
                                                          person(), ""), "reason")
    patients.update_patient(users["manager"], patient.id, person(), "Married name")
    assert patient.last_name == "O'Connor"


def test_search_finds_by_name_date_of_birth_and_reference(app):
    ada = make_patient(first_name="Ada", last_name="Lovelace", date_of_birth=date(1985, 12, 10))
    make_patient(first_name="Grace", last_name="Hopper", date_of_birth=date(1976, 12, 9))
    assert patients.search("love") == [ada]
    assert patients.search("ada lovelace") == [ada]
    assert patients.search("10/12/1985") == [ada]
    assert patients.search("1985-12-10") == [ada]
    assert patients.search(ada.reference) == [ada]
    assert patients.search("100%") == []
    assert len(patients.search("")) == 2


def answers_for(present: set[str] = frozenset()) -> list[screening.Answer]:
    return [screening.Answer(item.id, item.name in present, None)
            for item in screening.active_contraindications()]


def test_a_new_screening_replaces_the_current_one_and_keeps_history(users):
    patient = make_patient()
    first = screening.record_screening(users["doctor"], patient.id, TODAY() - timedelta(days=30),
                                       answers_for({"Pregnancy"}))
    assert screening.present_in(first) == ["Pregnancy"]
    second = screening.record_screening(users["doctor"], patient.id, TODAY(), answers_for())
    assert screening.current_screening(patient) is second
    assert screening.screenings_of(patient) == [second, first]


def test_a_screening_must_answer_every_active_question(users):
    patient = make_patient()
    partial = answers_for()[:-1]
    error = refused(IncompleteScreening, lambda: screening.record_screening(
        users["doctor"], patient.id, TODAY(), partial), "Answer yes or no")
    assert error.field.startswith("answer-")


def test_a_screening_cannot_be_dated_in_the_future(users, patient):
    refused(InvalidInput, lambda: screening.record_screening(
        users["doctor"], patient.id, TODAY() + timedelta(days=1), answers_for()), "future")


def test_only_prescribers_record_screenings(users, patient):
    refused(NotPermitted, lambda: screening.record_screening(
        users["manager"], patient.id, TODAY(), answers_for()), "does not allow")


def test_a_manager_adds_and_deactivates_contraindications(users):
    manager = users["manager"]
    item = screening.add_contraindication(manager, "Needle phobia", "Is the patient unable to "
                                          "tolerate needles?")
    assert item in screening.active_contraindications()
    refused(InvalidInput, lambda: screening.add_contraindication(manager, "needle PHOBIA", "?"),
            "already on the list")
    refused(InvalidInput, lambda: screening.set_contraindication_active(manager, item.id, False,
                                                                        ""), "reason")
    screening.set_contraindication_active(manager, item.id, False, "Not a contraindication")
    assert item not in screening.active_contraindications()


def test_a_prescriber_cannot_change_the_contraindications(users):
    refused(NotPermitted, lambda: screening.add_contraindication(users["doctor"], "X", "X?"),
            "does not allow")


def consent(**changes) -> ConsentDetails:
    values = dict(consented_on=TODAY(), procedure="Microsclerotherapy with STS",
                  areas="both calves", risks_explained="Bruising, pigmentation, blistering",
                  signature=SIGNATURE)
    values.update(changes)
    return ConsentDetails(**values)


@pytest.mark.parametrize("changes, message", [
    (dict(consented_on=date.today() + timedelta(days=3)), "future"),
    (dict(risks_explained=" "), "which risks were explained"),
])
def test_bad_consent_is_refused(users, patient, changes, message):
    refused(InvalidInput, lambda: clinical.record_consent(users["doctor"], patient.id,
                                                          consent(**changes)), message)


def test_consent_is_withdrawn_once_with_a_reason(users):
    given = clinical.record_consent(users["nurse"], make_patient().id, consent())
    refused(InvalidInput, lambda: clinical.withdraw_consent(users["nurse"], given.id, TODAY(), ""),
            "reason")
    refused(InvalidInput, lambda: clinical.withdraw_consent(
        users["nurse"], given.id, TODAY() - timedelta(days=1), "Changed mind"),
        "before it was given")
    clinical.withdraw_consent(users["nurse"], given.id, TODAY(), "Changed her mind")
    assert given.withdrawn_on == TODAY() and given.withdrawn_reason == "Changed her mind"
    refused(ConsentAlreadyWithdrawn, lambda: clinical.withdraw_consent(
        users["nurse"], given.id, TODAY(), "Again"), "already been withdrawn")


def test_a_manager_cannot_record_consent(users, patient):
    refused(NotPermitted, lambda: clinical.record_consent(users["manager"], patient.id,
                                                          consent()), "does not allow")


def visit(**changes) -> ConsultationDetails:
    values = dict(held_on=TODAY(), mode="face to face", place="Clinic room 2",
                  findings="Spider veins on both thighs", suitable=True,
                  suitability_reason="Screened clear; realistic expectations")
    values.update(changes)
    return ConsultationDetails(**values)


def test_a_remote_consultation_is_recorded_but_does_not_support_a_prescription(users):
    recorded = clinical.record_consultation(users["doctor"], make_patient().id, visit(mode="video"))
    assert recorded.mode == "video" and not recorded.supports_prescription


@pytest.mark.parametrize("changes, message", [
    (dict(mode="letter"), "how the consultation was held"),
    (dict(held_on=date.today() + timedelta(days=1)), "future"),
    (dict(suitability_reason=""), "why the patient is or is not suitable"),
])
def test_bad_consultations_are_refused(users, patient, changes, message):
    refused(InvalidInput, lambda: clinical.record_consultation(users["doctor"], patient.id,
                                                               visit(**changes)), message)


def test_a_manager_cannot_record_a_consultation(users, patient):
    refused(NotPermitted, lambda: clinical.record_consultation(users["manager"], patient.id,
                                                               visit()), "does not allow")


def test_a_consultation_is_corrected_by_its_prescriber_with_a_reason(users):
    held = clinical.record_consultation(users["doctor"], make_patient().id, visit())
    refused(NotPermitted, lambda: clinical.correct_consultation(
        users["nurse"], held.id, visit(place="Room 3"), "Wrong room"), "Only the prescriber")
    refused(InvalidInput, lambda: clinical.correct_consultation(
        users["doctor"], held.id, visit(place="Room 3"), ""), "reason")
    clinical.correct_consultation(users["doctor"], held.id, visit(place="Room 3"), "Wrong room")
    assert held.place == "Room 3"


def test_a_consultation_under_a_signed_prescription_is_locked(users):
    patient = make_patient()
    make_screening(patient, users["doctor"])
    make_consent(patient, users["doctor"])
    held = make_consultation(patient, users["doctor"])
    make_prescription(patient, make_product(), users["doctor"], held)
    refused(RecordLocked, lambda: clinical.correct_consultation(
        users["doctor"], held.id, visit(place="Room 3"), "Wrong room"), "signed prescription")


def test_the_default_contraindications_are_seeded(app):
    names = set(db.session.scalars(select(Contraindication.name)))
    assert {"Contraceptive pill", "History of thrombosis", "Pregnancy"} <= names


def test_a_consultation_must_say_whether_the_patient_is_suitable(users, patient):
    refused(InvalidInput, lambda: clinical.record_consultation(users["doctor"], patient.id,
                                                               visit(suitable=None)),
            "whether the patient is suitable")
