"""What a patient's record offers today: the contraindications its screening found, whether a
prescription may be written or a session started (asked of the very rules the services apply,
so the page never offers what the service would refuse), and how far each course has got."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from compliance.clock import local_today
from compliance.errors import DomainError
from compliance.models import Patient, Prescription, Screening
from compliance.rules.course import check_course, next_session_allowed_on
from compliance.rules.facts import ScreeningFacts
from compliance.rules.grounds import (
    check_contraindications,
    check_prescription,
    check_screened_clear,
)
from compliance.services import rule_facts
from compliance.services.screening import current_screening_on, present_in
from compliance.services.treatment_queries import (
    CourseProgress,
    course_progress,
    prescriptions_in_force,
)


def refusal(check: Callable[[], object]) -> str | None:
    """The message a rule refuses with, or None when it allows."""
    try:
        check()
    except DomainError as error:
        return error.message
    return None


@dataclass(frozen=True)
class RecordActions:
    """The record's banner, its two clinical actions (None: allowed, else why not) and the
    courses in force."""

    screening: Screening | None
    contraindications: list[str]
    prescribe_refused: str | None
    session_refused: str | None
    last_session_on: date | None
    courses: list[CourseProgress]

    @property
    def next_session_on(self) -> date | None:
        return next_session_allowed_on(self.last_session_on)


def _session_refused(patient_id: int, screening: ScreeningFacts | None,
                     in_force: list[Prescription], today: date) -> str | None:
    """Rules 2 to 5 for a session today: refused unless some prescription in force allows it;
    a contraindication is named first, whatever the prescriptions."""
    found = refusal(lambda: check_contraindications(screening))
    if found or not in_force:
        return found or refusal(lambda: check_prescription(None, patient_id, 0, today))
    refusals = [refusal(lambda rx=rx: check_course(rule_facts.course(patient_id, rx, today)))
                for rx in in_force]
    return None if None in refusals else refusals[0]


def record_actions(patient: Patient) -> RecordActions:
    """What the record of `patient` offers today."""
    today = local_today()
    in_force = prescriptions_in_force(patient.id, today)
    screening = current_screening_on(patient.id, today)
    facts = rule_facts.screening_facts(patient.id, today)
    return RecordActions(
        screening=screening, contraindications=present_in(screening),
        prescribe_refused=refusal(lambda: check_screened_clear(facts)),
        session_refused=_session_refused(patient.id, facts, in_force, today),
        last_session_on=rule_facts.latest_session_on(patient.id, today),
        courses=[course_progress(rx) for rx in in_force])
