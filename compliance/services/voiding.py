"""Voiding a treatment session opened by mistake (D4.5): the row stays, marked voided, with who,
when and why in the audit trail, and counts for neither the course nor the interval."""

from sqlalchemy import func, select

from compliance.clock import utcnow
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import Injection, TreatmentSession
from compliance.models.treatment import SIGNED, VOIDED
from compliance.rules.course import check_voidable
from compliance.rules.facts import SessionStateFacts
from compliance.services import ensure_can, reread
from compliance.services.audit import give_reason
from compliance.services.unit_of_work import unit_of_work


def session_state(session: TreatmentSession) -> SessionStateFacts:
    """The session as voiding sees it, its injections counted in the database as they are."""
    recorded = db.session.scalar(select(func.count()).select_from(Injection)
                                 .where(Injection.session_id == session.id))
    return SessionStateFacts(signed=session.status == SIGNED, voided=session.status == VOIDED,
                             injections_recorded=recorded)


@unit_of_work("void a treatment session")
def void_session(actor, session_id: int, reason: str) -> TreatmentSession:
    """Void the actor's own open session that has no injection, giving the reason. The session
    is locked, so an injection recorded at the same moment waits and then finds it voided."""
    ensure_can(actor, "void_session")
    session = reread(TreatmentSession, session_id, "No such session.", lock=True)
    ensure_can(actor, "void_session", session)
    check_voidable(session_state(session))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for voiding this session.", field="reason")
    give_reason(reason)
    session.status, session.voided_at = VOIDED, utcnow()
    session.voided_by_id, session.void_reason = actor.id, reason
    return session
