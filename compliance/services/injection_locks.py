"""What recording an injection writes to, locked by one statement (issue 17: an injection
POST in at most 12 statements; the session, the batch and its part took one each)."""

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload
from werkzeug.local import LocalProxy

from compliance.extensions import db
from compliance.models import Batch, BatchStock, Prescription, TreatmentSession, User


def _id_of(user) -> int:
    """The user's id as the session knows it: once expired, `user.id` reads the row again.
    (The signed-in user comes as Flask-Login's proxy.)"""
    return inspect(user._get_current_object() if isinstance(user, LocalProxy)
                   else user).identity[0]


def locked_for_injection(actor, session_id: int,
                         batch_id: int) -> tuple[TreatmentSession, Batch, BatchStock] | None:
    """The session, the batch and the batch's part at the session's location, locked by one
    statement in the order every writer takes them: a session before its batches, a batch
    before its parts (PostgreSQL locks the rows of FOR UPDATE OF in the order named). The
    actor (whom the view read before the writing transaction began), the prescription and
    its consultation are read again by the same statement. None when one is missing: the
    caller then goes the long way, whose refusals name what is missing."""
    row = db.session.execute(
        select(TreatmentSession, Batch, BatchStock, User).select_from(TreatmentSession)
        .join(Batch, Batch.id == batch_id)
        .join(BatchStock, (BatchStock.batch_id == Batch.id)
              & (BatchStock.location_id == TreatmentSession.location_id))
        .join(User, User.id == _id_of(actor)).where(TreatmentSession.id == session_id)
        .options(joinedload(TreatmentSession.prescription).joinedload(Prescription.consultation))
        .with_for_update(of=[TreatmentSession, Batch, BatchStock])
        .execution_options(populate_existing=True)).one_or_none()
    return None if row is None else (row[0], row[1], row[2])
