"""Rules 4 and 5: the length of a course and the interval between sessions."""

from datetime import date

from compliance.errors import SessionNotAuthorised, TooSoon
from compliance.rules.facts import CourseFacts, PrescriptionFacts
from compliance.rules.grounds import check_grounds
from compliance.rules.limits import MAX_SESSIONS_PER_COURSE, MIN_DAYS_BETWEEN_SESSIONS


def check_sessions_authorised(sessions_authorised: int | None) -> None:
    """Rule 4 when prescribing: a prescription authorises one to a full course of sessions."""
    if not 1 <= (sessions_authorised or 0) <= MAX_SESSIONS_PER_COURSE:
        raise SessionNotAuthorised(f"Authorise 1 to {MAX_SESSIONS_PER_COURSE} sessions: a "
                                   f"course is at most {MAX_SESSIONS_PER_COURSE}.",
                                   field="sessions_authorised")


def check_session_number(prescription: PrescriptionFacts, number: int) -> None:
    """Rule 4: a course is at most the sessions its prescription authorises, never over the
    limit of a course."""
    allowed = min(prescription.sessions_authorised, MAX_SESSIONS_PER_COURSE)
    if number > allowed:
        raise SessionNotAuthorised(f"Prescription {prescription.reference} authorises {allowed} "
                                   f"sessions; this would be session {number}.")


def far_enough_apart(gap_days: int) -> bool:
    """Rule 5's test: sessions this many days apart may both be given."""
    return gap_days >= MIN_DAYS_BETWEEN_SESSIONS


def is_due(last_session_on: date | None, on: date) -> bool:
    """A patient may have a session on `on`, as far as the interval goes."""
    return last_session_on is None or far_enough_apart((on - last_session_on).days)


def check_interval(previous_session_on: date | None, on: date) -> int | None:
    """Rule 5: the minimum interval since the patient's previous session, under any prescription.
    Returns the gap in days (None for a first session), for flagging long gaps."""
    if previous_session_on is None:
        return None
    gap = (on - previous_session_on).days
    if not far_enough_apart(gap):
        raise TooSoon(f"The previous session was on {previous_session_on:%d %b %Y}, {gap} days "
                      f"before; sessions must be at least {MIN_DAYS_BETWEEN_SESSIONS} days "
                      "apart.", field="session_date")
    return gap


def check_course(course: CourseFacts) -> int | None:
    """Rules 2 to 5 for the next session of a course; returns the gap since the previous one."""
    prescription = check_grounds(course.grounds)
    check_session_number(prescription, course.sessions_recorded + 1)
    return check_interval(course.previous_session_on, course.grounds.on)
