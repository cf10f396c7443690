"""Rules 4 and 5 on plain facts: the length of a course and the interval between sessions."""

from datetime import timedelta

import pytest

from compliance.errors import (
    CourseInProgress,
    NoValidPrescription,
    SessionNotAuthorised,
    TooSoon,
)
from compliance.rules.course import (
    check_course,
    check_interval,
    check_no_course_in_progress,
    check_session_number,
    check_sessions_authorised,
    is_due,
    next_session_allowed_on,
    sessions_allowed,
    sessions_left,
)
from compliance.rules.facts import OtherCourseFacts
from tests.unit.rules.builders import ON, course, grounds, prescription, refusal


@pytest.mark.parametrize("sessions", [1, 6])
def test_a_prescription_may_authorise_one_to_six_sessions(sessions):
    check_sessions_authorised(sessions)


@pytest.mark.parametrize("sessions", [None, 0, 7])
def test_a_prescription_authorising_none_or_more_than_six_sessions_is_refused(sessions):
    error = refusal(SessionNotAuthorised, check_sessions_authorised, sessions)
    assert error.message == "Authorise 1 to 6 sessions: a course is at most 6."
    assert error.field == "sessions_authorised"


def test_the_sixth_session_of_six_authorised_is_allowed():
    check_session_number(prescription(sessions_authorised=6), 6)


def test_a_seventh_session_is_refused():
    error = refusal(SessionNotAuthorised, check_session_number,
                    prescription(sessions_authorised=6), 7)
    assert error.message == ("Prescription RX-000012 authorises 6 sessions; this would be "
                             "session 7.")
    assert error.field is None


def test_a_session_beyond_a_shorter_authorisation_is_refused():
    error = refusal(SessionNotAuthorised, check_session_number,
                    prescription(sessions_authorised=3), 4)
    assert error.message == ("Prescription RX-000012 authorises 3 sessions; this would be "
                             "session 4.")


def test_a_course_never_exceeds_six_sessions_whatever_is_authorised():
    error = refusal(SessionNotAuthorised, check_session_number,
                    prescription(sessions_authorised=9), 7)
    assert "authorises 6 sessions" in error.message


def test_a_first_session_has_no_gap():
    assert check_interval(None, ON) is None


def test_a_session_28_days_after_the_previous_one_is_allowed():
    assert check_interval(ON - timedelta(days=28), ON) == 28


def test_a_session_27_days_after_the_previous_one_is_refused():
    error = refusal(TooSoon, check_interval, ON - timedelta(days=27), ON)
    assert error.message == ("The previous session was on 11 Feb 2026, 27 days before; sessions "
                             "must be at least 28 days apart.")
    assert error.field == "session_date"


def test_a_second_session_on_the_same_day_is_refused():
    assert "0 days before" in refusal(TooSoon, check_interval, ON, ON).message


def test_a_back_dated_session_27_days_before_the_next_one_is_refused():
    error = refusal(TooSoon, check_interval, None, ON, ON + timedelta(days=19))
    assert error.message == ("The next session was on 29 Mar 2026, 19 days after; sessions "
                             "must be at least 28 days apart.")
    assert error.field == "session_date"


def test_a_back_dated_session_28_days_either_side_is_allowed():
    assert check_interval(ON - timedelta(days=28), ON, ON + timedelta(days=28)) == 28
    assert check_interval(None, ON, ON + timedelta(days=28)) is None


@pytest.mark.parametrize("before, after, named", [
    (10, 20, "10 days before"), (20, 10, "10 days after"), (15, 15, "15 days before"),
    (40, 3, "3 days after"), (3, 40, "3 days before")])
def test_the_nearer_session_too_close_is_named(before, after, named):
    error = refusal(TooSoon, check_interval, ON - timedelta(days=before), ON,
                    ON + timedelta(days=after))
    assert named in error.message


def test_the_refusal_names_the_rule_as_the_audit_trail_always_has():
    assert TooSoon.rule == "D4.5 28 days between sessions"


@pytest.mark.parametrize("last_session_on, due", [
    (None, True), (ON - timedelta(days=27), False), (ON - timedelta(days=28), True)])
def test_a_patient_is_due_once_28_days_have_passed(last_session_on, due):
    assert is_due(last_session_on, ON) is due


def test_the_next_session_is_allowed_28_days_after_the_latest():
    assert next_session_allowed_on(ON) == ON + timedelta(days=28)
    assert next_session_allowed_on(None) is None


@pytest.mark.parametrize("gap, allowed", [(0, False), (27, False), (28, True), (29, True)])
def test_the_next_allowed_date_agrees_with_the_interval_check(gap, allowed):
    previous = ON - timedelta(days=gap)
    assert (next_session_allowed_on(previous) <= ON) is allowed
    assert is_due(previous, ON) is allowed
    if allowed:
        check_interval(previous, ON)
    else:
        refusal(TooSoon, check_interval, previous, ON)


@pytest.mark.parametrize("authorised, allowed", [(1, 1), (4, 4), (6, 6), (9, 6)])
def test_a_course_allows_what_its_prescription_authorises_up_to_six(authorised, allowed):
    assert sessions_allowed(authorised) == allowed


def test_a_course_checks_its_grounds_first():
    refusal(NoValidPrescription, check_course,
            course(grounds=grounds(prescription=None), sessions_recorded=6,
                   previous_session_on=ON))


def test_a_full_course_refuses_the_next_session():
    refusal(SessionNotAuthorised, check_course, course(sessions_recorded=6))


def test_a_course_checks_the_interval_after_the_count():
    refusal(TooSoon, check_course, course(sessions_recorded=5, previous_session_on=ON))


def test_a_course_checks_the_interval_to_a_later_session_too():
    error = refusal(TooSoon, check_course,
                    course(sessions_recorded=2, previous_session_on=ON - timedelta(days=30),
                           next_session_on=ON + timedelta(days=19)))
    assert "19 days after" in error.message


def test_an_allowed_session_gives_back_the_gap_since_the_previous_one():
    assert check_course(course(sessions_recorded=5,
                               previous_session_on=ON - timedelta(days=43))) == 43
    assert check_course(course()) is None


# Rule 4 when prescribing: one course at a time for a patient and product. The other
# prescription, RX-000012, is valid 1 Jan to 30 Jun 2026.


def other(sessions_recorded: int = 2, **changes) -> tuple[OtherCourseFacts, ...]:
    return (OtherCourseFacts(prescription(**changes), sessions_recorded),)


def test_a_new_prescription_is_refused_while_another_is_valid_with_sessions_left():
    error = refusal(CourseInProgress, check_no_course_in_progress, other(2), ON)
    assert error.message == ("RX-000012 for Fibro-Vein 0.2% is still valid, until 30 Jun 2026, "
                             "with 4 sessions left: cancel it (with a reason) or replace it "
                             "instead of writing a new prescription.")
    assert error.field == "product_id"
    assert CourseInProgress.rule == "D4.4 one course at a time"


def test_the_sessions_left_are_counted_against_the_authorisation_and_the_course_limit():
    error = refusal(CourseInProgress, check_no_course_in_progress,
                    other(2, sessions_authorised=3), ON)
    assert "with 1 session left" in error.message
    assert sessions_left(prescription(sessions_authorised=9), 5) == 1
    assert sessions_left(prescription(sessions_authorised=3), 4) == 0


@pytest.mark.parametrize("sessions_recorded, changes", [
    (6, {}),  # its course is complete
    (2, {"sessions_authorised": 2}),  # every session it authorised was given
    (0, {"signed_by_doctor": False}),  # a draft, cancelled, or its signature broken
    (0, {"valid_until": ON - timedelta(days=1)}),  # it expired yesterday
])
def test_a_new_course_may_follow_one_that_is_over(sessions_recorded, changes):
    check_no_course_in_progress(other(sessions_recorded, **changes), ON)


def test_a_new_prescription_starting_after_the_other_ends_is_refused_too():
    """D4.4: refused while the other is still valid, whatever dates the new one would have:
    otherwise a course could be restarted by dating the new prescription after the old."""
    refusal(CourseInProgress, check_no_course_in_progress, other(0), ON)


def test_a_future_prescription_overlapping_the_new_one_is_in_progress_too():
    refusal(CourseInProgress, check_no_course_in_progress,
            other(0, valid_from=ON + timedelta(days=30), valid_until=ON + timedelta(days=200)),
            ON)


def test_with_no_other_prescription_a_new_one_is_allowed():
    check_no_course_in_progress((), ON)
