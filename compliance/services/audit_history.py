"""A record's history on the trail, and its values as they stood at a moment."""

import json
from datetime import datetime

from sqlalchemy import select

from compliance.extensions import db
from compliance.models import AuditEvent


def history(table_name: str, record_id: str) -> list[AuditEvent]:
    """Every event about one record, oldest first."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == table_name,
                                 AuditEvent.record_id == record_id)
        .order_by(AuditEvent.seq)))


def state_at(events: list[AuditEvent], moment: datetime) -> dict | None:
    """A record's recorded values as they stood at `moment`, replayed from its events."""
    state = None
    for audit_event in events:
        if audit_event.occurred_at > moment:
            break
        if audit_event.action not in ("create", "update", "delete"):
            continue
        state = {} if state is None else state
        for field, (_old, new) in json.loads(audit_event.changes).items():
            state[field] = new
    return state
