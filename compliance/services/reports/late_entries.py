"""Late entries (D4): every record with an event date entered more than the late limit after
that day, found from the dates and recording times each record stores (nothing is kept that
could drift from them), and decided by the one rule, `rules.flags.late_entry`.

A receipt, waste, return, adjustment or stocktake correction is its ledger entry; an
administration's entry is its injection, listed as such.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, Select, cast, func, select

from compliance.clock import to_local
from compliance.database import on_postgresql, rows_where_in
from compliance.extensions import db
from compliance.models import (
    Batch,
    FollowUp,
    Injection,
    LedgerEntry,
    Patient,
    Stocktake,
    TreatmentSession,
    User,
)
from compliance.models.stock import ADMINISTRATION
from compliance.models.treatment import VOIDED
from compliance.rules import flags
from compliance.services.reports.common import Filters, at_locations, between_moments
from compliance.services.rule_facts import entry_timing


@dataclass(frozen=True)
class Candidate:
    """A record that may have been entered late: what it is and where its page is."""

    record: str  # how the flag names it: "Receipt of batch B-1"
    subject: str  # what the report's "Concerning" column says
    page: tuple[str, int]  # ("session" | "batch" | "stocktake", its id)
    event_on: date
    recorded_at: datetime
    location_id: int | None  # where it happened (D7)
    who: str
    key: str = ""  # the exception's key, which a review names: "late-session-12"


@dataclass(frozen=True)
class LateEntry:
    day: date  # the clinic date it was entered
    subject: str
    detail: str
    who: str
    page: tuple[str, int]
    key: str = ""
    location_id: int | None = None


def _day_of(column):
    """The UTC date of a stored UTC time, in SQL (a cheap first cut: an entry made on its
    event's UTC date, or earlier, is never more than a day late)."""
    if on_postgresql():
        return cast(column, Date)
    return func.date(column)


def _late(table, event_on, recorded_at, who_id, filters: Filters,
          location_id) -> dict[int, tuple]:
    """{id: (event date, recorded at, location)} of the rows of one table that the rule finds
    late, in the date range of entry, at the chosen locations: one table read through the
    index on its recording time (joins come after, for the few rows found)."""
    query = between_moments(select(table.id, event_on, recorded_at, location_id)
                            .where(_day_of(recorded_at) > event_on), recorded_at, filters)
    query = at_locations(query, location_id, filters)
    if filters.prescriber_id:
        query = query.where(who_id == filters.prescriber_id)
    return {row_id: (day, at, where) for row_id, day, at, where in db.session.execute(query)
            if flags.late_by(entry_timing("", day, at)) is not None}


def _described(query: Select, column, ids) -> Iterable:
    """The rows of `query` for `ids`."""
    return rows_where_in(query, column, sorted(ids))


def session_subject(number: int, first: str, last: str, reference: str) -> str:
    """A session as the patient's record names it: by its number in the course (its row id
    means nothing to a reader)."""
    return f"Session {number}, {first} {last} ({reference})"


def _session_query(*columns) -> Select:
    return (select(*columns, TreatmentSession.id, TreatmentSession.session_number,
                   Patient.first_name, Patient.last_name, Patient.reference)
            .join(Patient, Patient.id == TreatmentSession.patient_id))


def _sessions(filters: Filters) -> Iterable[Candidate]:
    s = TreatmentSession
    late = _late(s, s.session_date, s.started_at, s.prescriber_id, filters, s.location_id)
    # A voided session was never a treatment (D4.5): never flagged.
    query = (_session_query(User.full_name).join(User, User.id == s.prescriber_id)
             .where(s.status != VOIDED))
    for who, sid, number, first, last, ref in _described(query, s.id, late):
        yield Candidate("Session", session_subject(number, first, last, ref), ("session", sid),
                        *late[sid], who, key=f"late-session-{sid}")


def _follow_ups(filters: Filters) -> Iterable[Candidate]:
    f = FollowUp
    # A follow-up happened where its session did.
    where = (select(TreatmentSession.location_id)
             .where(TreatmentSession.id == f.session_id).scalar_subquery())
    late = _late(f, f.seen_on, f.recorded_at, f.recorded_by_id, filters, where)
    query = (_session_query(f.id, User.full_name).join(f, f.session_id == TreatmentSession.id)
             .join(User, User.id == f.recorded_by_id))
    for fid, who, sid, number, first, last, ref in _described(query, f.id, late):
        yield Candidate(f"Follow-up of session {number}",
                        session_subject(number, first, last, ref), ("session", sid), *late[fid],
                        who, key=f"late-follow-up-{fid}")


def _ledger_entries(filters: Filters) -> Iterable[Candidate]:
    """Receipts, waste, returns, adjustments, stocktake corrections and injections: an
    injection is entered with its administration entry, which is dated the session's day."""
    e = LedgerEntry
    late = _late(e, e.occurred_on, e.recorded_at, e.actor_id, filters, e.location_id)
    query = (select(e.id, e.entry_type, Batch.id, Batch.batch_number, User.full_name)
             .join(Batch, Batch.id == e.batch_id).join(User, User.id == e.actor_id)
             .where(e.entry_type != ADMINISTRATION))
    for eid, kind, batch_id, number, who in _described(query, e.id, late):
        yield Candidate(f"{kind.capitalize()} of batch {number}", f"Batch {number}",
                        ("batch", batch_id), *late[eid], who, key=f"late-entry-{eid}")
    query = (_session_query(Injection.ledger_entry_id, Batch.batch_number,
                            User.full_name)
             .join(Injection, Injection.session_id == TreatmentSession.id)
             .join(Batch, Batch.id == Injection.batch_id)
             .join(User, User.id == TreatmentSession.prescriber_id))
    for eid, batch_number, who, sid, number, first, last, ref in _described(
            query, Injection.ledger_entry_id, late):
        yield Candidate(f"Injection from batch {batch_number}",
                        session_subject(number, first, last, ref), ("session", sid), *late[eid],
                        who, key=f"late-entry-{eid}")


def _stocktakes(filters: Filters) -> Iterable[Candidate]:
    t = Stocktake
    query = between_moments(select(t.id, t.counted_at, t.recorded_at, User.full_name,
                                   t.location_id)
                            .join(User, User.id == t.counted_by_id)
                            .where(t.recorded_at > t.counted_at), t.recorded_at, filters)
    query = at_locations(query, t.location_id, filters)
    if filters.prescriber_id:
        query = query.where(t.counted_by_id == filters.prescriber_id)
    for tid, counted_at, at, who, where in db.session.execute(query):
        yield Candidate(f"Stocktake {tid}", f"Stocktake {tid}", ("stocktake", tid),
                        to_local(counted_at).date(), at, where, who,
                        key=f"late-stocktake-{tid}")


SOURCES = (_sessions, _follow_ups, _ledger_entries, _stocktakes)


def late_entries(filters: Filters) -> list[LateEntry]:
    """Every record entered more than the late limit after its event, in the date range (of
    entry) and by the prescriber (who entered it) chosen."""
    found = []
    for source in SOURCES:
        for c in source(filters):
            flag = flags.late_entry(entry_timing(c.record, c.event_on, c.recorded_at))
            if flag is not None:
                found.append(LateEntry(to_local(c.recorded_at).date(), c.subject, flag.detail,
                                       c.who, c.page, c.key, c.location_id))
    return found
