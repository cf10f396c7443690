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
"""

from sqlalchemy import String, cast, false, or_, select

from compliance.models import AuditEvent, Signature
from compliance.scope import LOCATED, TABLES, Ids, actors_within

SIGNATURES = "signatures"


def _keys(model, ids: Ids):
    """The keys, as the audit trail writes them, of `model`'s rows at the locations `ids`."""
    return select(cast(model.id, String)).where(LOCATED[model](ids))


def _signed_in_scope(ids: Ids, group_wide: bool):
    located = [(Signature.record_table == table) & Signature.record_id.in_(_keys(model, ids))
               for table, model in TABLES.items()]
    if group_wide:
        located.append(Signature.record_table.not_in(list(TABLES)))
    return select(cast(Signature.id, String)).where(or_(*located))


def acts_in_scope(ids: Ids):
    """A condition on AuditEvent, for events about no record: done by the system or by
    someone working only within `ids`."""
    return AuditEvent.actor_id.is_(None) | AuditEvent.actor_id.in_(actors_within(ids))


def events_in_scope(ids: Ids | None, group_wide: bool = True):
    """A condition on AuditEvent: the events the locations `ids` show (None: every event);
    without `group_wide`, only those about records located there."""
    if ids is None:
        return None
    parts = [(AuditEvent.table_name == table) & AuditEvent.record_id.in_(_keys(model, ids))
             for table, model in TABLES.items()]
    parts.append((AuditEvent.table_name == SIGNATURES)
                 & AuditEvent.record_id.in_(_signed_in_scope(ids, group_wide)))
    if group_wide:
        parts += [AuditEvent.table_name.is_(None) & acts_in_scope(ids),
                  AuditEvent.table_name.not_in([*TABLES, SIGNATURES])]
    return or_(false(), *parts)


def scoped(query, ids: Ids | None, group_wide: bool = True):
    """`query` of audit events limited to those the locations `ids` show."""
    condition = events_in_scope(ids, group_wide)
    return query if condition is None else query.where(condition)
