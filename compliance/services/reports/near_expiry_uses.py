"""Batches used within their near-expiry window (D4) for the compliance exceptions report:
the uses of the sessions without the flag, decided by the rule."""

from sqlalchemy import select

from compliance.database import rows_where_in
from compliance.extensions import db
from compliance.models import Batch, Injection, Patient, SessionFlag, TreatmentSession, User
from compliance.rules import flags
from compliance.rules.flags import FLAG_LABELS, near_expiry_until
from compliance.services.reports.common import Filters, between_days, for_prescriber
from compliance.services.reports.exception_row import ExceptionRow
from compliance.services.reports.late_entries import session_subject
from compliance.services.rule_facts import near_expiry_days

NEAR_EXPIRY = FLAG_LABELS["batch_near_expiry"]


def _uses_of_unflagged_sessions(filters: Filters, window_days: int):
    """Each batch used in the range's sessions without the near-expiry flag; not those expiring
    after the window of the range's last day (nearly all of a month's uses). Without the
    patient's and prescriber's names: joined to every use, the group's month hashed all 1M
    patients (150 ms), and the rule leaves few uses to name."""
    flagged = select(SessionFlag.session_id).where(SessionFlag.code == "batch_near_expiry")
    query = (select(TreatmentSession.id, TreatmentSession.session_number,
                    TreatmentSession.session_date, Batch.id, Batch.batch_number,
                    Batch.expires_on, TreatmentSession.location_id)
             .join(Injection, Injection.session_id == TreatmentSession.id)
             .join(Batch, Batch.id == Injection.batch_id)
             .where(TreatmentSession.id.not_in(flagged)).distinct())
    if filters.date_to is not None:
        query = query.where(Batch.expires_on <= near_expiry_until(filters.date_to, window_days))
    return for_prescriber(between_days(query, TreatmentSession.session_date, filters), filters)


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
    uses = [use for use in db.session.execute(_uses_of_unflagged_sessions(filters, window_days))
            if flags.near_expiry(use[5], use[2], window_days)]
    names = _names(uses)
    return [ExceptionRow(day, NEAR_EXPIRY, session_subject(number, *names[sid][:3]),
                         f"batch {batch_number} expires {expires_on:%d %b %Y}", names[sid][3],
                         page=("session", sid), key=f"near-expiry-{sid}-{bid}", location_id=where)
            for sid, number, day, bid, batch_number, expires_on, where in uses]
