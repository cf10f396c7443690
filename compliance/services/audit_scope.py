"""Which audit events a user's scope shows (D7), decided in SQL so that pages, counts and
exports agree.

An event is about the record its table and key name. An event about a located record (see
compliance/scope.py: a session, a ledger entry, a batch, a stocktake, their parts) is shown
when that record is at a location in the scope; a signature's event when what it signs is. An
event about a group-wide record (a patient, a prescription, a product, a user account and its
sign-ins) belongs to no location: it is shown in every scope.

An event about no record (an export, a refused attempt) says in its words what was asked for,
which may name a batch or a location elsewhere; it is shown in a scope when whoever did it
works only at locations of that scope (as they are assigned now), and the system's own events
(verification, replay, anchors, backups) in every scope. Neither a group-wide record's events
nor these are shown when one location is chosen in a report: only what is located there.

An event about a record that never moves stores where it is (compliance/fixed_places.py), and
one about a record of no location that it is EVERYWHERE; each is decided by that alone:
counting a location's month of events then reads an index of the month, where looking at each
event's record took 0.45 s at national scale. The answer is the same
(tests/unit/test_event_places.py), and `flask audit replay` checks the stored places.
"""

from functools import lru_cache

from sqlalchemy import Integer, case, cast, exists, false, or_

from compliance.fixed_places import EVERYWHERE, SIGNATURES
from compliance.models import AuditEvent, Signature
from compliance.scope import LOCATED, TABLES, Ids, actors_within


def named_key(table_column, key_column, table: str):
    """The key, as an integer, of the row a (table, key) pair names when it names a row of
    `table`; otherwise NULL, so that the cast never reads another table's key."""
    return case((table_column == table, cast(key_column, Integer)))


def _located(model, ids: Ids, table_column, key_column):
    """Whether the (table, key) pair names a row of `model` at the locations `ids`: one look
    at its primary key per event. (A set of every located key, built for each query, cost
    half a second at one location of 1M injections.)"""
    return (table_column == model.__tablename__) & exists().where(
        model.id == named_key(table_column, key_column, model.__tablename__), LOCATED[model](ids))


def _signed_in_scope(ids: Ids, group_wide: bool):
    """Whether an event's signature signs a record of the scope (or, `group_wide`, a record
    that belongs to no location)."""
    located = [_located(model, ids, Signature.record_table, Signature.record_id)
               for model in TABLES.values()]
    if group_wide:
        located.append(Signature.record_table.not_in(list(TABLES)))
    return exists().where(Signature.id == named_key(AuditEvent.table_name, AuditEvent.record_id,
                                               SIGNATURES), or_(*located))


def acts_in_scope(ids: Ids):
    """A condition on AuditEvent, for events about no record: done by the system or by
    someone working only within `ids`."""
    return AuditEvent.actor_id.is_(None) | AuditEvent.actor_id.in_(actors_within(ids))


def events_in_scope(ids: Ids | None, group_wide: bool = True):
    """A condition on AuditEvent: the events the locations `ids` show (None: every event);
    without `group_wide`, only those about records located there.

    An event that stores where its record is (a record that never moves, or one of no
    location) is decided by that alone, from the index of the month's events; any other by its
    record as it is now."""
    return None if ids is None else _condition(frozenset(ids), group_wide)


@lru_cache(maxsize=256)
def _condition(ids: Ids, group_wide: bool):
    """The condition for `ids`, built once per scope: it names only tables, keys and
    subqueries, read when a query runs, so it never goes stale; building it was 13-22 ms of
    each scoped page at national scale."""
    placed = AuditEvent.location_id.in_(ids)
    if group_wide:
        placed = placed | (AuditEvent.location_id == EVERYWHERE)
    return placed | (AuditEvent.location_id.is_(None) & _decided_by_record(ids, group_wide))


def _decided_by_record(ids: Ids, group_wide: bool):
    parts = [_located(model, ids, AuditEvent.table_name, AuditEvent.record_id)
             for model in TABLES.values()]
    parts.append((AuditEvent.table_name == SIGNATURES) & _signed_in_scope(ids, group_wide))
    if group_wide:
        parts += [AuditEvent.table_name.is_(None) & acts_in_scope(ids),
                  AuditEvent.table_name.not_in([*TABLES, SIGNATURES])]
    return or_(false(), *parts)


def scoped(query, ids: Ids | None, group_wide: bool = True):
    """`query` of audit events limited to those the locations `ids` show."""
    condition = events_in_scope(ids, group_wide)
    return query if condition is None else query.where(condition)
