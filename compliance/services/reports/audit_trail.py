"""Report 7, the audit trail itself, with the result of verifying its hash chain."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, literal, select, union_all

from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services import audit, audit_verify
from compliance.services.audit_scope import scoped
from compliance.services.reports import audit_words
from compliance.services.reports.audit_records import RecordName, name_records
from compliance.services.reports.common import (
    PAGE_SIZE,
    Filters,
    Listing,
    Result,
    between_moments,
    in_chunks,
    paged,
)

SORTS = {"seq": "Sequence"}


@dataclass
class AuditRow:
    seq: int
    occurred_at: datetime
    actor_name: str
    action: str
    table_name: str | None
    record_id: str | None
    changes: str
    reason: str | None
    rule: str | None
    detail: str | None
    hash: str
    what: str = ""  # what happened, in words: "drawn", "signed", "corrected"
    record: RecordName | None = None  # the record it concerns, named as people do
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)
    corrected: bool = False  # it changed what was first entered (D5's mark)

    @property
    def changes_text(self) -> str:
        return audit_words.changes_text(self.changed)


_COLUMNS = (AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_name, AuditEvent.action,
            AuditEvent.table_name, AuditEvent.record_id, AuditEvent.changes, AuditEvent.reason,
            AuditEvent.rule, AuditEvent.detail, AuditEvent.hash)


def _matching(columns, filters: Filters):
    query = scoped(select(*columns), filters.location_ids, filters.group_wide)
    return between_moments(query, AuditEvent.occurred_at, filters)


def _sequence(column, listing: Listing):
    """`column`, a sequence number, in the listing's direction."""
    return column.desc() if listing.descending else column


def filtered(filters: Filters, listing: Listing):
    return _matching(_COLUMNS, filters).order_by(_sequence(AuditEvent.seq, listing))


def _count(filters: Filters) -> int:
    """The matching events counted from their keys alone, unsorted: an index of the month
    with the event's table, key and actor answers it without reading the events' rows."""
    keys = _matching((AuditEvent.seq,), filters).subquery()
    return db.session.scalar(select(func.count()).select_from(keys))


def _count_and_page(filters: Filters, listing: Listing) -> tuple[int, list[int]]:
    """How many events match, and the sequence numbers of the page's, from one read of their
    keys (the month's index holds them). Counting, then listing, read the month twice, and
    the listing walked back from the newest event through every later one (a scoped month
    at national scale: 110 and 92 ms)."""
    keys = _matching((AuditEvent.seq,), filters).cte("keys")
    if filters.location_ids is None:
        # Every event of the range (300,000 in a month at national scale): reading the index
        # twice costs less than writing the keys aside to read them twice (85 against 120 ms).
        keys = keys.prefix_with("NOT MATERIALIZED")
    page = (select(keys.c.seq).order_by(_sequence(keys.c.seq, listing)).limit(PAGE_SIZE)
            .offset(listing.offset).subquery())
    found = db.session.execute(union_all(
        select(literal(True).label("counted"), func.count().label("value")).select_from(keys),
        select(literal(False), page.c.seq))).all()
    return (sum(value for counted, value in found if counted),
            [value for counted, value in found if not counted])


def _page(filters: Filters, listing: Listing) -> tuple[int, list]:
    if listing.page is None:  # every row, for a printed report
        return _count(filters), db.session.execute(filtered(filters, listing)).all()
    if not (filters.date_from or filters.date_to):
        # The whole trail: its newest events are the first page, found from the key at
        # once, where reading every key would take seconds.
        return _count(filters), db.session.execute(paged(filtered(filters, listing),
                                                         listing)).all()
    count, seqs = _count_and_page(filters, listing)
    return count, db.session.execute(select(*_COLUMNS).where(AuditEvent.seq.in_(seqs))
                                     .order_by(_sequence(AuditEvent.seq, listing))).all()


def report(filters: Filters, listing: Listing) -> Result:
    count, raw = _page(filters, listing)
    rows = described(raw)
    # A printed report states the chain as verified now; the page shows the last check.
    verification = (audit_verify.verified_now() if listing.page is None
                    else audit_verify.last_recorded())
    seq, head_hash = audit.head()
    return Result(rows, count, {"events": count},
                  {"verification": verification, "head_seq": seq,
                   "head_hash": head_hash})


def iter_rows(filters: Filters, listing: Listing) -> Iterator[AuditRow]:
    for chunk in in_chunks(filtered(filters, listing)):
        yield from described(chunk)


def _subject(table: str | None, record_id: str | None, changes: dict) -> tuple:
    """The record an event concerns: a signature's is the record it signs."""
    if table == "signatures" and "record_table" in changes and "record_id" in changes:
        return changes["record_table"][1], str(changes["record_id"][1])
    return table, record_id


def described(raw_rows) -> list[AuditRow]:
    """Rows of events with what happened, the record named, and old -> new values."""
    rows = [AuditRow(*r) for r in raw_rows]
    parsed = [json.loads(row.changes or "{}") for row in rows]
    subjects = [_subject(row.table_name, row.record_id, changes)
                for row, changes in zip(rows, parsed, strict=True)]
    names = name_records(subjects)
    for row, changes, subject in zip(rows, parsed, subjects, strict=True):
        facts = audit_words.EventFacts(row.action, row.table_name, changes, row.reason,
                                       row.rule)
        row.what, row.record = audit_words.what_happened(facts), names.get(subject)
        row.changed, row.corrected = (audit_words.changed_fields(facts),
                                      audit_words.is_correction(facts))
        if row.record and subject[0] != row.table_name:
            row.record = RecordName(f"signature on {row.record.name}", row.record.page)
    return rows


def of_events(events) -> dict[int, AuditRow]:
    """{seq: the event in words} for audit events already read (the audit trail page)."""
    names = [column.key for column in _COLUMNS]
    rows = described([tuple(getattr(event, name) for name in names) for event in events])
    return {row.seq: row for row in rows}
