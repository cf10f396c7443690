"""Rules 4 and 5: the length of a course and the interval between sessions."""

from datetime import date, timedelta

from compliance.errors import (
    CourseInProgress,
    NotVoidable,
    RecordLocked,
    SessionNotAuthorised,
    TooSoon,
)
from compliance.rules.facts import (
    CourseFacts,
    OtherCourseFacts,
    PrescriptionFacts,
    SessionStateFacts,
)
from compliance.rules.grounds import check_grounds
from compliance.rules.limits import MAX_SESSIONS_PER_COURSE, MIN_DAYS_BETWEEN_SESSIONS


def check_sessions_authorised(sessions_authorised: int | None) -> None:
    """Rule 4 when prescribing: a prescription authorises one to a full course of sessions."""
    if not 1 <= (sessions_authorised or 0) <= MAX_SESSIONS_PER_COURSE:
        raise SessionNotAuthorised(f"Authorise 1 to {MAX_SESSIONS_PER_COURSE} sessions: a "
                                   f"course is at most {MAX_SESSIONS_PER_COURSE}.",
                                   field="sessions_authorised")


def sessions_allowed(sessions_authorised: int) -> int:
    """Rule 4: the sessions a course may have: those its prescription authorises, never over
    the limit of a course."""
    return min(sessions_authorised, MAX_SESSIONS_PER_COURSE)


def check_session_number(prescription: PrescriptionFacts, number: int) -> None:
    """Rule 4: a course is at most the sessions its prescription authorises, never over the
    limit of a course."""
    allowed = sessions_allowed(prescription.sessions_authorised)
    if number > allowed:
        raise SessionNotAuthorised(f"Prescription {prescription.reference} authorises {allowed} "
                                   f"sessions; this would be session {number}.")


def sessions_left(prescription: PrescriptionFacts, sessions_recorded: int) -> int:
    """Sessions a course under `prescription` may still have."""
    return max(sessions_allowed(prescription.sessions_authorised) - sessions_recorded, 0)


def _in_progress(other: OtherCourseFacts, today: date) -> bool:
    """`other` is signed, still valid (today or later: whatever dates the new prescription
    would have), with sessions left in its course."""
    rx = other.prescription
    return (rx.signed_by_doctor and sessions_left(rx, other.sessions_recorded) > 0
            and rx.valid_until >= today)


def check_no_course_in_progress(others: tuple[OtherCourseFacts, ...], today: date) -> None:
    """Rule 4 when prescribing: no new course for a patient and product while another
    prescription for them is still valid with sessions left; that one is cancelled or
    replaced (a replacement continues its course)."""
    for other in others:
        if _in_progress(other, today):
            rx, left = other.prescription, sessions_left(other.prescription,
                                                         other.sessions_recorded)
            raise CourseInProgress(
                f"{rx.reference} for {rx.product_name} is still valid, until "
                f"{rx.valid_until:%d %b %Y}, with {left} session{'s' if left != 1 else ''} "
                "left: cancel it (with a reason) or replace it instead of writing a new "
                "prescription.", field="product_id")


def far_enough_apart(gap_days: int) -> bool:
    """Rule 5's test: sessions this many days apart may both be given."""
    return gap_days >= MIN_DAYS_BETWEEN_SESSIONS


def next_session_allowed_on(last_session_on: date | None) -> date | None:
    """Rule 5 looking forward: the first day a patient whose latest session was on
    `last_session_on` may have another (None: no session yet, so any day)."""
    if last_session_on is None:
        return None
    return last_session_on + timedelta(days=MIN_DAYS_BETWEEN_SESSIONS)


def is_due(last_session_on: date | None, on: date) -> bool:
    """A patient may have a session on `on`, as far as the interval goes."""
    allowed_from = next_session_allowed_on(last_session_on)
    return allowed_from is None or on >= allowed_from


def _too_soon_before(previous_session_on: date, gap: int) -> TooSoon:
    return TooSoon(f"The previous session was on {previous_session_on:%d %b %Y}, {gap} days "
                   f"before; sessions must be at least {MIN_DAYS_BETWEEN_SESSIONS} days apart.",
                   field="session_date")


def _too_soon_after(next_session_on: date, gap: int) -> TooSoon:
    return TooSoon(f"The next session was on {next_session_on:%d %b %Y}, {gap} days after; "
                   f"sessions must be at least {MIN_DAYS_BETWEEN_SESSIONS} days apart.",
                   field="session_date")


def _days_between(earlier: date | None, later: date | None) -> int | None:
    return (later - earlier).days if earlier is not None and later is not None else None


def check_interval(previous_session_on: date | None, on: date,
                   next_session_on: date | None = None) -> int | None:
    """Rule 5: at least the minimum interval between `on` and the patient's sessions on either
    side of it, under any prescription; when both are too close, the nearer one is named.
    Returns the gap in days since the previous one (None for a first session), for flagging
    long gaps."""
    before = _days_between(previous_session_on, on)
    after = _days_between(on, next_session_on)
    too_soon = [(gap, side) for side, gap in enumerate((before, after))
                if gap is not None and not far_enough_apart(gap)]
    if too_soon:
        gap, side = min(too_soon)  # on a tie, the session before
        raise (_too_soon_before(previous_session_on, gap) if side == 0
               else _too_soon_after(next_session_on, gap))
    return before


def check_course(course: CourseFacts) -> int | None:
    """Rules 2 to 5 for the next session of a course; returns the gap since the previous one."""
    prescription = check_grounds(course.grounds)
    check_session_number(prescription, course.sessions_recorded + 1)
    return check_interval(course.previous_session_on, course.grounds.on, course.next_session_on)


def check_voidable(session: SessionStateFacts) -> None:
    """Rules 4 and 5 leave out a session voided before any injection: only an open session
    with no injection on record, not even a reversed one, may be voided."""
    if session.voided:
        raise RecordLocked("This session is already voided.")
    if session.signed:
        raise RecordLocked("A signed session is locked and cannot be voided: add an addendum "
                           "instead.")
    if session.injections_recorded:
        count = session.injections_recorded
        raise NotVoidable(f"A session with injections cannot be voided: this one has {count} "
                          f"injection{'s' if count != 1 else ''} on record (a reversed injection "
                          "stays on record). Sign it off with a note instead.")
