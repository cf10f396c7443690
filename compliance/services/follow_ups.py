"""Follow-up (D3): after-effects and complications, linked to a session and its batches."""

from dataclasses import dataclass
from datetime import date

from compliance.clock import local_today
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import FollowUp, TreatmentSession
from compliance.models.treatment import AFTER_EFFECTS, SEVERITIES, VOIDED
from compliance.services import ensure_can
from compliance.services.unit_of_work import unit_of_work


@dataclass
class FollowUpNote:
    seen_on: date
    effects: list[str]
    complication: bool
    severity: str | None
    action_taken: str | None
    notes: str | None


def _followed_up(session_id: int) -> TreatmentSession:
    session = db.session.get(TreatmentSession, session_id, populate_existing=True)
    if session is None:
        raise InvalidInput("No such session.")
    if session.status == VOIDED:
        raise InvalidInput("This session was voided before any injection: there is nothing "
                           "to follow up.")
    return session


def _check(session: TreatmentSession, note: FollowUpNote) -> None:
    if note.seen_on < session.session_date or note.seen_on > local_today():
        raise InvalidInput("The follow-up date must be between the session and today.",
                           field="seen_on")
    unknown = set(note.effects) - set(AFTER_EFFECTS)
    if unknown:
        raise InvalidInput(f"Unknown after-effect: {', '.join(sorted(unknown))}.",
                           field="effects")
    if note.complication and note.severity not in SEVERITIES:
        raise InvalidInput("Give the complication's severity.", field="severity")
    if note.complication and not (note.action_taken or "").strip():
        raise InvalidInput("Say what was done (for example: clot removed, referred).",
                           field="action_taken")


@unit_of_work("record a follow-up")
def record_follow_up(actor, session_id: int, note: FollowUpNote) -> FollowUp:
    """Record what was seen after a session; complications feed the exceptions report."""
    ensure_can(actor, "record_follow_up")
    session = _followed_up(session_id)
    _check(session, note)
    follow_up = FollowUp(session_id=session.id, seen_on=note.seen_on,
                         effects=";".join(note.effects), complication=note.complication,
                         severity=note.severity if note.complication else None,
                         action_taken=(note.action_taken or "").strip() or None,
                         notes=(note.notes or "").strip() or None, recorded_by_id=actor.id)
    db.session.add(follow_up)
    return follow_up
