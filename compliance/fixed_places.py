"""The located records that never move, and where each is: its audit events store that place
(AuditEvent.location_id), so that a scope's events are found from an index instead of a look
at each event's record (D7; compliance/services/audit_scope.py).

A record here is at the place it was written at, for good: no form moves one and none is
ever deleted. Each takes its place from its own location column, or from the parent its key
names. A record whose place can change is not here, and its events store none: a batch (held
wherever a part of it is), a transfer (at both ends), an assignment of a user (removed when
the user is unassigned), a review of a refused attempt (bounded by its reviewer). Their
events are decided by the record as it is now, as before.

A record that belongs to no location (D7: a patient and their clinical records, a
prescription, a product, a user account) is EVERYWHERE, and so is a signature of one: its
events are shown in every scope, and in none when one location is chosen.
"""

from collections.abc import Callable

from sqlalchemy import select

from compliance.models import (
    ExceptionReview,
    FollowUp,
    Injection,
    InjectionReversal,
    LedgerEntry,
    Location,
    SessionAddendum,
    SessionFlag,
    Signature,
    Stocktake,
    StocktakeLine,
    StorageArea,
    TemperatureReading,
    TreatmentSession,
)
from compliance.scope import TABLES

# The records whose own location column says where they are.
OWN_COLUMN = (TreatmentSession, LedgerEntry, Stocktake, StorageArea, ExceptionReview)
# The records that are where their parent is: the key naming the parent, and its model.
PARENT = {
    Injection: ("session_id", TreatmentSession),
    SessionFlag: ("session_id", TreatmentSession),
    SessionAddendum: ("session_id", TreatmentSession),
    FollowUp: ("session_id", TreatmentSession),
    InjectionReversal: ("injection_id", Injection),
    StocktakeLine: ("stocktake_id", Stocktake),
    TemperatureReading: ("storage_area_id", StorageArea),
}
FIXED = {model.__tablename__: model for model in (*OWN_COLUMN, *PARENT, Location)}
SIGNATURES = Signature.__tablename__
EVERYWHERE = 0  # the place of what belongs to no location (no location has the id 0)


def belongs_nowhere(table: str | None) -> bool:
    """Whether an event naming `table` is about a record of no location (any table that is
    neither located nor the signatures'; an event naming none is about no record)."""
    return table is not None and table not in TABLES and table != SIGNATURES


def signs_nowhere(table: str) -> bool:
    """Whether a signature of a record of `table` is about a record of no location (a
    signature of a signature included, as the scope has it)."""
    return table not in TABLES


# Finds a row by model and key (Session.get: the rows of the transaction are found without SQL).
Getter = Callable[[type, object], object]


def getter(session) -> Getter:
    """Session.get that also finds the rows the flush under way inserted: the identity map
    takes them only after `after_flush`, so Session.get would read each one again."""
    inserted = {(type(row), row.id): row for row in session.new if hasattr(row, "id")}
    return lambda model, key: inserted.get((model, key)) or session.get(model, key)


def place_of(record, get: Getter) -> int | None:
    """Where a fixed record is; None for any other record (and for a review of a refused
    attempt, which has no location)."""
    model = type(record)
    if model is Location:
        return record.id
    if model in OWN_COLUMN:
        return record.location_id
    if model in PARENT:
        key, parent = PARENT[model]
        found = get(parent, getattr(record, key))
        return None if found is None else place_of(found, get)
    if model is Signature:
        return EVERYWHERE if signs_nowhere(record.record_table) else named_place(
            record.record_table, record.record_id, get)
    return EVERYWHERE if belongs_nowhere(model.__tablename__) else None


def named_place(table: str | None, record_id: str | None, get: Getter) -> int | None:
    """Where the record an audit event names by table and key is, when it is a fixed record,
    a record of no location, or a signature of either."""
    if belongs_nowhere(table):
        return EVERYWHERE
    model = Signature if table == SIGNATURES else FIXED.get(table or "")
    if model is None or not _is_key(record_id):
        return None
    found = get(model, int(record_id))
    return None if found is None else place_of(found, get)


def _is_key(record_id: str | None) -> bool:
    """Whether the text is a key an integer column can hold."""
    return bool(record_id) and record_id.isascii() and record_id.isdigit() and len(
        record_id) < 10


def placed(model):
    """Each row of the fixed `model` with where it is, as SQL: (id, place)."""
    if model is Location:
        return select(Location.id.label("id"), Location.id.label("place"))
    if model in OWN_COLUMN:
        return select(model.id.label("id"), model.location_id.label("place"))
    key, parent = PARENT[model]
    parents = placed(parent).subquery()
    return select(model.id.label("id"), parents.c.place).join(
        parents, parents.c.id == getattr(model, key))
