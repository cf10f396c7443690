"""Checking the places audit events store (compliance/fixed_places.py) against their records,
as part of `flask audit replay`: the place is not in the event's hash, so a place changed
behind the application's back, which would show an event in the wrong scope, is found here.

An event with no place is always right: its scope is decided by its record as it is now. An
event about a record of no location, or a signature of one, stores EVERYWHERE.
"""

from sqlalchemy import and_, exists, func, literal, or_, select, union_all

from compliance.extensions import db
from compliance.fixed_places import EVERYWHERE, FIXED, SIGNATURES, placed
from compliance.models import AuditEvent, Signature
from compliance.scope import TABLES
from compliance.services.audit_scope import named_key
from compliance.services.replay_tables import Difference

SHOWN = 100  # misplaced events listed; all are counted


def _at(rows, table_column, key_column, table: str):
    """Whether the (table, key) pair names a row of `rows` at the event's stored place (the
    event and signature those columns are of being the enclosing statements')."""
    return exists().where(rows.c.id == named_key(table_column, key_column, table),
                          rows.c.place == AuditEvent.location_id).correlate_except(rows)


def _wrong(table: str, condition):
    return (select(AuditEvent.seq, AuditEvent.location_id, literal(table).label("table_name"))
            .where(AuditEvent.table_name == table, AuditEvent.location_id.is_not(None),
                   ~condition))


def _statement():
    rows = {table: placed(model).subquery() for table, model in FIXED.items()}
    records = [_wrong(table, _at(rows[table], AuditEvent.table_name, AuditEvent.record_id,
                                 table)) for table in FIXED]
    signed = or_(*(and_(Signature.record_table == table,
                        _at(rows[table], Signature.record_table, Signature.record_id, table))
                   for table in FIXED),
                 (AuditEvent.location_id == EVERYWHERE) & Signature.record_table.not_in(TABLES))
    signatures = _wrong(SIGNATURES, exists().where(
        Signature.id == named_key(AuditEvent.table_name, AuditEvent.record_id, SIGNATURES), signed))
    nowhere = AuditEvent.table_name.not_in([*TABLES, SIGNATURES])
    others = (select(AuditEvent.seq, AuditEvent.location_id, AuditEvent.table_name)
              .where(AuditEvent.location_id.is_not(None),
                     AuditEvent.table_name.is_(None)
                     | (AuditEvent.table_name.in_(TABLES) & AuditEvent.table_name.not_in(FIXED))
                     | (nowhere & (AuditEvent.location_id != EVERYWHERE))))
    return union_all(*records, signatures, others)


def misplaced() -> tuple[int, list[Difference]]:
    """How many events store a place that is not where their record is (or one for a record
    that may move), and the first SHOWN of them in sequence order."""
    events = _statement().subquery()
    count = db.session.scalar(select(func.count()).select_from(events))
    found = db.session.execute(select(events).order_by(events.c.seq).limit(SHOWN)) if count else ()
    return count, [Difference("audit_events", str(seq), problem=_problem(place, table))
                   for seq, place, table in found]


def _problem(place: int, table: str | None) -> str:
    if table in FIXED or table == SIGNATURES:
        return f"stores location {place}, but its {table} record is not there"
    if table in TABLES:
        return f"stores location {place} for a {table} record, which may move"
    if table is None:
        return f"stores location {place} for an event about no record"
    return f"stores location {place} for a {table} record, which belongs to no location"
