"""What a patient's record offers, read from the database: the rules' own refusals, course
progress (a replacement continues the count, a voided session does not count) and the next
allowed session date; the Today list's split into due and waiting."""

from datetime import timedelta

from compliance.errors import NotScreened, NoValidPrescription
from compliance.extensions import db
from compliance.models.treatment import VOIDED
from compliance.rules.limits import MIN_DAYS_BETWEEN_SESSIONS
from compliance.services import treatment_queries
from compliance.services.record_actions import record_actions
from tests.factories import (
    make_patient,
    make_prescription,
    make_screening,
    make_session,
    ready_patient,
)
from tests.treatment_helpers import days_ago


def test_a_patient_ready_for_treatment_may_be_prescribed_for_and_treated(clinic):
    actions = record_actions(clinic["patient"])
    assert actions.contraindications == []
    assert actions.prescribe_refused is None and actions.session_refused is None
    assert actions.last_session_on is None and actions.next_session_on is None
    [course] = actions.courses
    assert (course.prescription.id, course.sessions_given, course.sessions_allowed,
            course.next_number, course.complete) == (clinic["prescription"].id, 0, 6, 1, False)


def test_a_contraindication_refuses_both_actions_with_the_rules_own_words(clinic):
    patient = clinic["patient"]
    screening = make_screening(patient, clinic["doctor"], frozenset({"Contraceptive pill"}))
    actions = record_actions(patient)
    assert actions.screening.id == screening.id
    assert actions.contraindications == ["Contraceptive pill"]
    assert actions.prescribe_refused == (
        "The current screening records a contraindication: Contraceptive pill. Treatment "
        "cannot be prescribed.")
    # Named even though a prescription is in force: the contraindication comes first.
    assert actions.session_refused == "Contraindication present: Contraceptive pill."


def test_an_unscreened_patient_without_a_prescription_is_refused_both(users):
    patient = make_patient()
    actions = record_actions(patient)
    assert actions.prescribe_refused == NotScreened.default_message
    assert actions.session_refused == "No screening for contraindications is on record."
    make_screening(patient, users["doctor"])
    actions = record_actions(patient)
    assert actions.prescribe_refused is None
    assert actions.session_refused == NoValidPrescription.default_message


def test_a_session_too_soon_is_refused_with_the_date_it_becomes_allowed(clinic):
    rx = clinic["prescription"]
    make_session(rx, clinic["nurse"], days_ago(20))
    actions = record_actions(clinic["patient"])
    assert "20 days before; sessions must be at least 28 days apart" in actions.session_refused
    assert actions.last_session_on == days_ago(20)
    assert actions.next_session_on == days_ago(20) + timedelta(days=MIN_DAYS_BETWEEN_SESSIONS)
    assert actions.courses[0].sessions_given == 1 and actions.courses[0].next_number == 2


def test_a_session_28_days_on_is_allowed(clinic):
    make_session(clinic["prescription"], clinic["nurse"], days_ago(28))
    actions = record_actions(clinic["patient"])
    assert actions.session_refused is None
    assert actions.next_session_on == days_ago(0)


def test_a_replacement_continues_the_course_and_a_voided_session_is_not_counted(clinic):
    first = clinic["prescription"]
    make_session(first, clinic["nurse"], days_ago(90), number=1)
    voided = make_session(first, clinic["nurse"], days_ago(60), number=2, signed=False)
    voided.status = VOIDED
    replacement = make_prescription(clinic["patient"], clinic["product"], clinic["doctor"],
                                    sessions=4)
    replacement.replaces_id = first.id
    db.session.commit()
    progress = treatment_queries.course_progress(replacement)
    assert (progress.sessions_given, progress.sessions_allowed) == (1, 4)
    assert treatment_queries.next_session_on(clinic["patient"].id) == days_ago(62)


def test_a_full_course_refuses_the_next_session_and_is_not_due(clinic):
    patient, rx = ready_patient(clinic, clinic["product"], sessions=2)
    for number, ago in ((1, 100), (2, 60)):
        make_session(rx, clinic["nurse"], days_ago(ago), number=number)
    actions = record_actions(patient)
    assert actions.courses[0].complete
    assert "authorises 2 sessions; this would be session 3" in actions.session_refused
    due, waiting = treatment_queries.due_and_waiting(days_ago(0))
    assert patient.id not in {d.patient.id for d in due + waiting}


def test_today_splits_courses_into_due_and_waiting_by_the_interval(clinic):
    waiting_patient, rx = ready_patient(clinic, clinic["product"])
    make_session(rx, clinic["nurse"], days_ago(10))
    due, waiting = treatment_queries.due_and_waiting(days_ago(0))
    assert [(d.patient.id, d.next_session_on, d.progress.next_number) for d in due] == [
        (clinic["patient"].id, None, 1)]
    assert [(d.patient.id, d.last_session, d.next_session_on, d.progress.next_number)
            for d in waiting] == [(waiting_patient.id, days_ago(10), days_ago(-18), 2)]
    assert treatment_queries.due_patients(days_ago(0)) == due


def test_a_session_knows_its_place_in_the_course_and_the_next_allowed_date(clinic):
    rx = make_prescription(clinic["patient"], clinic["product"], clinic["doctor"], sessions=3)
    session = make_session(rx, clinic["nurse"], days_ago(5))
    place = treatment_queries.session_course(session)
    assert (place.number, place.allowed, place.next_session_on) == (1, 3, days_ago(-23))
