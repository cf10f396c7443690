"""Report 5, compliance exceptions: every flagged item of D4 and every refused attempt."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from compliance.clock import to_local, utcnow
from compliance.extensions import db
from compliance.models import (
    AuditEvent,
    Batch,
    FollowUp,
    Patient,
    SessionFlag,
    Stocktake,
    StocktakeLine,
    StorageArea,
    TreatmentSession,
    User,
)
from compliance.models.treatment import OPEN, VOIDED
from compliance.rules import flags
from compliance.rules.facts import FollowUpFacts, StocktakeLineFacts
from compliance.rules.flags import EXCEPTION_LABELS, FLAG_LABELS
from compliance.services.audit_scope import acts_in_scope
from compliance.services.reports import exception_reviews, temperature_exceptions
from compliance.services.reports.common import (
    Filters,
    Listing,
    Result,
    at_locations,
    between_days,
    between_moments,
    for_prescriber,
    location_names,
    page_in_python,
    sort_in_python,
)
from compliance.services.reports.exception_row import ExceptionRow
from compliance.services.reports.late_entries import late_entries, session_subject
from compliance.services.reports.near_expiry_uses import near_expiry_uses

SORTS = {"day": "Date", "kind": "Exception", "subject": "Concerning"}
REFUSED = "Refused attempt"
DISCREPANCY = EXCEPTION_LABELS["stocktake_discrepancy"]
COMPLICATION = EXCEPTION_LABELS["complication"]
UNSIGNED = EXCEPTION_LABELS["unsigned"]
LATE_ENTRY = FLAG_LABELS["late_entry"]


def _flags(filters: Filters) -> list[ExceptionRow]:
    query = (select(SessionFlag.id, SessionFlag.code, SessionFlag.detail, TreatmentSession.id,
                    TreatmentSession.session_number, TreatmentSession.session_date,
                    Patient.first_name, Patient.last_name, Patient.reference, User.full_name,
                    TreatmentSession.location_id)
             .join(TreatmentSession, TreatmentSession.id == SessionFlag.session_id)
             .join(Patient, Patient.id == TreatmentSession.patient_id)
             .join(User, User.id == TreatmentSession.prescriber_id)
             # A voided session was never a treatment: its flags are not exceptions; a
             # session's late entry is found with every other record's, in _late_entries.
             .where(TreatmentSession.status != VOIDED, SessionFlag.code != "late_entry"))
    query = for_prescriber(between_days(query, TreatmentSession.session_date, filters), filters)
    return [ExceptionRow(day, FLAG_LABELS.get(code, code),
                         session_subject(number, first, last, ref), detail, who,
                         page=("session", sid), key=f"flag-{fid}", location_id=where)
            for fid, code, detail, sid, number, day, first, last, ref, who, where
            in db.session.execute(query)]


def _discrepancies(filters: Filters) -> list[ExceptionRow]:
    query = (select(StocktakeLine, Stocktake.counted_at, Batch.batch_number, User.full_name,
                    Stocktake.location_id)
             .join(Stocktake, Stocktake.id == StocktakeLine.stocktake_id)
             .join(Batch, Batch.id == StocktakeLine.batch_id)
             .join(User, User.id == Stocktake.counted_by_id)
             # Narrowed in SQL (stocktake lines are many); the rule still words each flag.
             .where(StocktakeLine.counted_containers != StocktakeLine.expected_containers))
    rows = []
    query = at_locations(query, Stocktake.location_id, filters)
    for line, at, number, who, where in db.session.execute(
            between_moments(query, Stocktake.counted_at, filters)):
        flag = flags.stocktake_discrepancy(StocktakeLineFacts(
            line.expected_containers, line.counted_containers, line.reason))
        if flag is not None:
            rows.append(ExceptionRow(to_local(at).date(), DISCREPANCY, f"Batch {number}",
                                     flag.detail, who, page=("stocktake", line.stocktake_id),
                                     key=f"count-{line.id}", location_id=where))
    return rows


def _complications(filters: Filters) -> list[ExceptionRow]:
    query = (select(FollowUp, TreatmentSession.id, TreatmentSession.session_number,
                    Patient.first_name, Patient.last_name, Patient.reference, User.full_name,
                    TreatmentSession.location_id)
             .join(TreatmentSession, TreatmentSession.id == FollowUp.session_id)
             .join(Patient, Patient.id == TreatmentSession.patient_id)
             .join(User, User.id == FollowUp.recorded_by_id)
             # Narrowed in the database: most follow-ups report no complication.
             .where(FollowUp.complication.is_(True)))
    query = for_prescriber(between_days(query, FollowUp.seen_on, filters), filters)
    rows = []
    for f, sid, number, first, last, ref, who, where in db.session.execute(query):
        flag = flags.complication(FollowUpFacts(f.complication, f.severity, f.effects,
                                                f.action_taken))
        if flag is not None:
            rows.append(ExceptionRow(f.seen_on, COMPLICATION,
                                     session_subject(number, first, last, ref), flag.detail,
                                     who, page=("session", sid), key=f"complication-{f.id}",
                                     location_id=where))
    return rows


def unsigned_sessions(filters: Filters) -> list[ExceptionRow]:
    """Open sessions started more than LATE_AFTER_HOURS ago (also the managers' notice)."""
    query = (select(TreatmentSession.id, TreatmentSession.session_number,
                    TreatmentSession.session_date, TreatmentSession.started_at,
                    Patient.first_name, Patient.last_name, Patient.reference, User.full_name,
                    TreatmentSession.location_id)
             .join(Patient, Patient.id == TreatmentSession.patient_id)
             .join(User, User.id == TreatmentSession.prescriber_id)
             .where(TreatmentSession.status == OPEN,
                    TreatmentSession.started_at < flags.unsigned_if_started_before(utcnow())))
    query = for_prescriber(between_days(query, TreatmentSession.session_date, filters), filters)
    return [ExceptionRow(day, UNSIGNED, session_subject(number, first, last, ref),
                         f"started {to_local(started):%d %b %Y %H:%M}, not signed", who,
                         page=("session", sid), key=f"unsigned-{sid}", location_id=where)
            for sid, number, day, started, first, last, ref, who, where
            in db.session.execute(query)]


def _refusals(filters: Filters) -> list[ExceptionRow]:
    """Refused attempts belong to no location: listed for all the locations of a scope (those
    of people working only there, whose words name nothing elsewhere), not for one location
    chosen."""
    if not filters.group_wide:
        return []
    query = select(AuditEvent).where(AuditEvent.action == "refused")
    if filters.location_ids is not None:
        query = query.where(acts_in_scope(filters.location_ids))
    query = between_moments(query, AuditEvent.occurred_at, filters)
    if filters.prescriber_id:
        query = query.where(AuditEvent.actor_id == filters.prescriber_id)
    return [ExceptionRow(to_local(e.occurred_at).date(), REFUSED, f"Audit event {e.seq}",
                         e.detail or "", e.actor_name, e.rule or "", key=f"refused-{e.seq}")
            for e in db.session.scalars(query)]


def _late_entries(filters: Filters) -> list[ExceptionRow]:
    return [ExceptionRow(late.day, LATE_ENTRY, late.subject, late.detail, late.who,
                         page=late.page, key=late.key, location_id=late.location_id)
            for late in late_entries(filters)]


def _storage_temperatures(filters: Filters) -> list[ExceptionRow]:
    # Each row's page is its storage area's, which is at one location.
    where = dict(db.session.execute(select(StorageArea.id, StorageArea.location_id)).all())
    return [ExceptionRow(t.day, t.kind, t.subject, t.detail, t.who, page=t.page, key=t.key,
                         location_id=where.get(t.page[1]))
            for t in temperature_exceptions.bare_exceptions(filters)]


# Each source returns new rows, which all_rows completes in place: none may keep or share one.
SOURCES = (_flags, _discrepancies, _complications, near_expiry_uses, unsigned_sessions,
           _late_entries, _refusals, _storage_temperatures)


def all_rows(filters: Filters) -> list[ExceptionRow]:
    """Every exception, each named with its location and given its review if it has one.
    Each row is new, made by its source, so it is completed in place (a copy of each, twice,
    was 60 ms of the group's month at national scale)."""
    rows = [row for source in SOURCES for row in source(filters)]
    names = location_names()
    found = exception_reviews.reviews_of([row.key for row in rows])
    for row in rows:
        row.location = names.get(row.location_id, "")
        row.review = found.get(row.key)
    return rows


def listed(filters: Filters, stored_batches: bool = True) -> list[ExceptionRow]:
    """The exceptions the report lists for `filters`, each with its review if it has one and,
    when `stored_batches`, the batches stored where it happened (a count needs none)."""
    rows = all_rows(filters)
    if filters.review is not None:
        wanted = filters.review == exception_reviews.REVIEWED
        rows = [row for row in rows if (row.review is not None) == wanted]
    return temperature_exceptions.with_stored_batches(rows) if stored_batches else rows


def tally(rows: list[ExceptionRow]) -> dict:
    """How many exceptions, how many not yet reviewed, and how many of each kind."""
    return {"exceptions": len(rows),
            "unreviewed": sum(1 for row in rows if row.review is None),
            "by_kind": dict(sorted(Counter(row.kind for row in rows).items()))}


def find(day: date, key: str, location_ids: frozenset[int] | None = None
         ) -> ExceptionRow | None:
    """The exception named `key` dated `day` (each source filters by that date) at the
    locations `location_ids` (None: anywhere), or None."""
    filters = Filters(date_from=day, date_to=day, location_ids=location_ids)
    row = next((row for row in listed(filters, stored_batches=False) if row.key == key), None)
    return row and temperature_exceptions.with_stored_batches([row])[0]


def per_month(rows: list[ExceptionRow]) -> dict[str, int]:
    return dict(sorted(Counter(f"{row.day:%Y-%m}" for row in rows).items()))


def report(filters: Filters, listing: Listing) -> Result:
    rows = sort_in_python(listed(filters, stored_batches=False), listing.sort,
                          listing.descending)
    shown = temperature_exceptions.with_stored_batches(page_in_python(rows, listing))
    return Result(shown, len(rows), tally(rows), {"per_month": per_month(rows)})
