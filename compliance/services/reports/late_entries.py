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
from compliance.rules import flags
from compliance.services.reports.common import Filters, between_moments
from compliance.services.rule_facts import entry_timing


@dataclass(frozen=True)
class Candidate:
    """A record that may have been entered late: what it is and where its page is."""

    record: str  # how the flag names it: "Receipt of batch B-1"
    subject: str  # what the report's "Concerning" column says
    page: tuple[str, int]  # ("session" | "batch" | "stocktake", its id)
    event_on: date
    recorded_at: datetime
    who: str


@dataclass(frozen=True)
class LateEntry:
    day: date  # the clinic date it was entered
    subject: str
    detail: str
    who: str
    page: tuple[str, int]


def _day_of(column):
    """The UTC date of a stored UTC time, in SQL (a cheap first cut: an entry made on its
    event's UTC date, or earlier, is never more than a day late)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(column, Date)
    return func.date(column)


def _narrowed(query: Select, recorded_at, who_id, filters: Filters) -> Select:
    query = between_moments(query, recorded_at, filters)
    if filters.prescriber_id:
        query = query.where(who_id == filters.prescriber_id)
    return query


def session_subject(session_id: int, first: str, last: str, reference: str) -> str:
    return f"Session {session_id}, {first} {last} ({reference})"


def _sessions(filters: Filters) -> Iterable[Candidate]:
    s = TreatmentSession
    query = (select(s.id, s.session_date, s.started_at, Patient.first_name, Patient.last_name,
                    Patient.reference, User.full_name)
             .join(Patient, Patient.id == s.patient_id).join(User, User.id == s.prescriber_id)
             .where(_day_of(s.started_at) > s.session_date))
    for sid, day, at, first, last, ref, who in db.session.execute(
            _narrowed(query, s.started_at, s.prescriber_id, filters)):
        yield Candidate("Session", session_subject(sid, first, last, ref), ("session", sid),
                        day, at, who)


def _injections(filters: Filters) -> Iterable[Candidate]:
    s, i = TreatmentSession, Injection
    query = (select(i.id, i.recorded_at, Batch.batch_number, s.id, s.session_date,
                    Patient.first_name, Patient.last_name, Patient.reference, User.full_name)
             .join(s, s.id == i.session_id).join(Batch, Batch.id == i.batch_id)
             .join(Patient, Patient.id == s.patient_id)
             .join(LedgerEntry, LedgerEntry.id == i.ledger_entry_id)
             .join(User, User.id == LedgerEntry.actor_id)
             .where(_day_of(i.recorded_at) > s.session_date))
    for iid, at, number, sid, day, first, last, ref, who in db.session.execute(
            _narrowed(query, i.recorded_at, LedgerEntry.actor_id, filters)):
        yield Candidate(f"Injection {iid} from batch {number}",
                        session_subject(sid, first, last, ref), ("session", sid), day, at, who)


def _follow_ups(filters: Filters) -> Iterable[Candidate]:
    f = FollowUp
    query = (select(f.id, f.seen_on, f.recorded_at, f.session_id, Patient.first_name,
                    Patient.last_name, Patient.reference, User.full_name)
             .join(TreatmentSession, TreatmentSession.id == f.session_id)
             .join(Patient, Patient.id == TreatmentSession.patient_id)
             .join(User, User.id == f.recorded_by_id)
             .where(_day_of(f.recorded_at) > f.seen_on))
    for fid, day, at, sid, first, last, ref, who in db.session.execute(
            _narrowed(query, f.recorded_at, f.recorded_by_id, filters)):
        yield Candidate(f"Follow-up {fid}", session_subject(sid, first, last, ref),
                        ("session", sid), day, at, who)


def _ledger_entries(filters: Filters) -> Iterable[Candidate]:
    e = LedgerEntry
    query = (select(e.entry_type, e.occurred_on, e.recorded_at, Batch.id, Batch.batch_number,
                    User.full_name)
             .join(Batch, Batch.id == e.batch_id).join(User, User.id == e.actor_id)
             .where(e.entry_type != ADMINISTRATION, _day_of(e.recorded_at) > e.occurred_on))
    for kind, day, at, batch_id, number, who in db.session.execute(
            _narrowed(query, e.recorded_at, e.actor_id, filters)):
        yield Candidate(f"{kind.capitalize()} of batch {number}", f"Batch {number}",
                        ("batch", batch_id), day, at, who)


def _stocktakes(filters: Filters) -> Iterable[Candidate]:
    t = Stocktake
    query = (select(t.id, t.counted_at, t.recorded_at, User.full_name)
             .join(User, User.id == t.counted_by_id).where(t.recorded_at > t.counted_at))
    for tid, counted_at, at, who in db.session.execute(
            _narrowed(query, t.recorded_at, t.counted_by_id, filters)):
        yield Candidate(f"Stocktake {tid}", f"Stocktake {tid}", ("stocktake", tid),
                        to_local(counted_at).date(), at, who)


SOURCES = (_sessions, _injections, _follow_ups, _ledger_entries, _stocktakes)


def late_entries(filters: Filters) -> list[LateEntry]:
    """Every record entered more than the late limit after its event, in the date range (of
    entry) and by the prescriber (who entered it) chosen."""
    found = []
    for source in SOURCES:
        for c in source(filters):
            flag = flags.late_entry(entry_timing(c.record, c.event_on, c.recorded_at))
            if flag is not None:
                found.append(LateEntry(to_local(c.recorded_at).date(), c.subject, flag.detail,
                                       c.who, c.page))
    return found
