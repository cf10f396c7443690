"""Batches used within their near-expiry window (D4) for the compliance exceptions report:
the uses of the sessions without the flag, decided by the rule."""

from datetime import date

from sqlalchemy import exists, func, select

from compliance.database import rows_where_in
from compliance.extensions import db
from compliance.models import Batch, Injection, Patient, SessionFlag, TreatmentSession, User
from compliance.models.treatment import VOIDED
from compliance.rules import flags
from compliance.rules.flags import FLAG_LABELS
from compliance.services.reports.common import Filters, between_days, for_prescriber
from compliance.services.reports.exception_row import ExceptionRow
from compliance.services.reports.late_entries import session_subject
from compliance.services.rule_facts import near_expiry_days

NEAR_EXPIRY = FLAG_LABELS["batch_near_expiry"]


def _unflagged(query, filters: Filters):
    """`query` of sessions joined to their injections, limited to the range's sessions
    without the near-expiry flag. A voided session was never a treatment (D4.5): its uses are
    no exception, as its flags are none."""
    flagged = exists().where(SessionFlag.session_id == TreatmentSession.id,
                             SessionFlag.code == "batch_near_expiry")
    query = (query.join(Injection, Injection.session_id == TreatmentSession.id)
             .where(~flagged, TreatmentSession.status != VOIDED))
    return for_prescriber(between_days(query, TreatmentSession.session_date, filters), filters)


def _near_batches(filters: Filters, window_days: int) -> list[int]:
    """The batches the rule finds near expiry on some day of their use in the range: those it
    finds so on the last day each was used, as a later day is nearer expiry. One row per
    batch used (the group's month: 2,500 of 85,000 uses at national scale), where a row per
    use joined to every batch took 0.3 s."""
    last_used: dict[int, date] = dict(db.session.execute(_unflagged(
        select(Injection.batch_id, func.max(TreatmentSession.session_date)), filters)
        .group_by(Injection.batch_id)).all())
    if not last_used:
        return []
    expiry = dict(rows_where_in(select(Batch.id, Batch.expires_on), Batch.id, sorted(last_used)))
    return sorted(batch for batch, day in last_used.items()
                  if flags.near_expiry(expiry[batch], day, window_days))


def _uses(filters: Filters, batches: list[int]) -> list:
    """Each use of `batches` in the range's sessions without the flag, once per session and
    batch."""
    query = _unflagged(select(TreatmentSession.id, TreatmentSession.session_number,
                              TreatmentSession.session_date, Batch.id, Batch.batch_number,
                              Batch.expires_on, TreatmentSession.location_id), filters)
    query = query.join(Batch, Batch.id == Injection.batch_id).distinct()
    return list(rows_where_in(query, Injection.batch_id, batches))


def _names(uses: list) -> dict[int, tuple]:
    """{session id: (first name, last name, reference, prescriber)} of the sessions of `uses`,
    in one statement."""
    query = (select(TreatmentSession.id, Patient.first_name, Patient.last_name,
                    Patient.reference, User.full_name)
             .join(Patient, Patient.id == TreatmentSession.patient_id)
             .join(User, User.id == TreatmentSession.prescriber_id))
    return {sid: tuple(names) for sid, *names in rows_where_in(
        query, TreatmentSession.id, sorted({use[0] for use in uses}))}


def near_expiry_uses(filters: Filters) -> list[ExceptionRow]:
    """Batches used within their near-expiry window, unless the session already has the flag
    (compared in Python: date arithmetic differs between SQLite and PostgreSQL)."""
    window_days = near_expiry_days()
    batches = _near_batches(filters, window_days)
    if not batches:
        return []
    uses = [use for use in _uses(filters, batches)
            if flags.near_expiry(use[5], use[2], window_days)]
    names = _names(uses)
    return [ExceptionRow(day, NEAR_EXPIRY, session_subject(number, *names[sid][:3]),
                         f"batch {batch_number} expires {expires_on:%d %b %Y}", names[sid][3],
                         page=("session", sid), key=f"near-expiry-{sid}-{bid}", location_id=where)
            for sid, number, day, bid, batch_number, expires_on, where in uses]
