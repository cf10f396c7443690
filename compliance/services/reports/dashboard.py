"""The inspector's home: headline counts and the audit chain's state."""

from sqlalchemy import func, select

from compliance.clock import local_today, utcnow
from compliance.extensions import db
from compliance.models import Batch, TreatmentSession
from compliance.models.treatment import OPEN, VOIDED
from compliance.rules.flags import unsigned_if_started_before
from compliance.rules.injection import expired_through
from compliance.rules.limits import LATE_AFTER_HOURS
from compliance.services import audit, audit_replay, audit_verify
from compliance.services.stock_queries import balances_adrift


def open_exceptions() -> dict[str, int]:
    """Exceptions that need someone to act now: sessions unsigned too long after, expired
    batches still holding stock, batches whose balance disagrees with the movement totals kept
    with their ledger (`flask stock check` sums the ledger itself)."""
    unsigned = db.session.scalar(
        select(func.count()).select_from(TreatmentSession)
        .where(TreatmentSession.status == OPEN,
               TreatmentSession.started_at < unsigned_if_started_before(utcnow())))
    expired = db.session.scalar(select(func.count()).select_from(Batch).where(
        Batch.balance_ul > 0, Batch.expires_on <= expired_through(local_today())))
    return {f"Sessions unsigned after {LATE_AFTER_HOURS} hours": unsigned,
            "Expired batches holding stock": expired,
            "Batches whose balance disagrees with their movements": balances_adrift()}


def summary() -> dict:
    sessions, prescribers = db.session.execute(
        select(func.count(), func.count(TreatmentSession.prescriber_id.distinct()))
        .where(TreatmentSession.status != VOIDED)).one()
    batches, holding = db.session.execute(
        select(func.count(), func.count().filter(Batch.balance_ul > 0))).one()
    exceptions = open_exceptions()
    seq, head_hash = audit.head()
    return {"sessions": sessions, "prescribers": prescribers, "batches": batches,
            "batches_holding": holding, "exceptions": exceptions,
            "open_exceptions": sum(exceptions.values()),
            "verification": audit_verify.last_recorded(),
            "replay": audit_replay.last_recorded(),
            "head_seq": seq, "head_hash": head_hash}
