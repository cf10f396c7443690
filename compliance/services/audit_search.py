"""Finding audit events: filters, pages and the people and tables to filter by."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select

from compliance.clock import end_of_local_day, start_of_local_day
from compliance.extensions import db
from compliance.inputs import record_id
from compliance.models import AuditEvent, User
from compliance.services.audit import is_audited
from compliance.services.audit_scope import scoped

PAGE_SIZE = 50


@dataclass
class AuditFilters:
    actor_id: int | None = None
    table: str | None = None
    record: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        parts = [f"{name.replace('_', ' ')}={value}" for name, value in vars(self).items()
                 if value not in (None, "")]
        return ", ".join(parts) or "none"


def filtered(filters: AuditFilters, location_ids: frozenset[int] | None = None) -> Select:
    """Events matching `filters` that the locations `location_ids` show (None: every event),
    newest first."""
    query = scoped(select(AuditEvent), location_ids).order_by(AuditEvent.seq.desc())
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.table:
        query = query.where(AuditEvent.table_name == filters.table)
    if filters.record:
        query = query.where(AuditEvent.record_id == filters.record.strip())
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEvent.occurred_at >= start_of_local_day(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.occurred_at < end_of_local_day(filters.date_to))
    return query


def streamed(filters: AuditFilters, location_ids: frozenset[int] | None = None
             ) -> Iterator[AuditEvent]:
    """Every event matching `filters` in the scope, newest first, a thousand at a time."""
    yield from db.session.scalars(filtered(filters, location_ids)
                                  .execution_options(yield_per=1000))


def page(filters: AuditFilters, before: int | None,
         location_ids: frozenset[int] | None = None) -> list[AuditEvent]:
    """One page of events in the scope older than sequence number `before` (keyset, not
    offset)."""
    query = filtered(filters, location_ids)
    if before:
        query = query.where(AuditEvent.seq < before)
    return list(db.session.scalars(query.limit(PAGE_SIZE)))


def actor_choices() -> list[tuple[str, str]]:
    people = db.session.execute(select(User.id, User.full_name).order_by(User.full_name))
    return [("", "Anyone")] + [(str(pid), name) for pid, name in people]


def table_choices() -> list[tuple[str, str]]:
    """The audited tables that have events. A DISTINCT over millions of events reads them all
    (over a second at 1M injections): instead, each table's first record key, which the
    (table, record) index answers at once."""
    audited = sorted({mapper.local_table.name for mapper in db.Model.registry.mappers
                      if is_audited(mapper.class_)})
    firsts = db.session.execute(select(*(
        select(func.min(AuditEvent.record_id)).where(AuditEvent.table_name == name)
        .scalar_subquery() for name in audited))).one()
    return [("", "Any table")] + [(name, name) for name, first in zip(audited, firsts,
                                                                      strict=True)
                                  if first is not None]


def _mapper_of(table_name: str):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table.name == table_name:
            return mapper
    return None


def _key_part(column, part: str):
    """One part of a record's key as its column holds it; ValueError when it cannot be."""
    kind = column.type.python_type
    return record_id(part) if kind is int else kind(part)


def current_record(table_name: str, record_id: str):
    """The row an audit trail names by table and key ("a|b" for a composite key), as it is
    now; None when it is gone or the key does not fit the table."""
    mapper = _mapper_of(table_name)
    if mapper is None or len(mapper.primary_key) != len(record_id.split("|")):
        return None
    try:
        key = tuple(_key_part(column, part)
                    for column, part in zip(mapper.primary_key, record_id.split("|"),
                                            strict=True))
    except (TypeError, ValueError):
        return None
    return db.session.get(mapper.class_, key)
