"""The latest recorded checks of the audit trail (the verification, which checks the anchors
too, and the replay of the tables), for the alarm every manager and inspector sees while one
of them stands failed."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services.audit_replay import REPLAY
from compliance.services.audit_verify import VERIFY

CHECKS = {VERIFY: "Audit trail verification", REPLAY: "Replay of the tables against the trail"}


@dataclass(frozen=True)
class FailedCheck:
    name: str
    at: datetime
    detail: str | None


def failed_checks() -> list[FailedCheck]:
    """The latest check of each kind, where it failed: one query, each latest event found
    through the (action, seq) index; a later passing check of the same kind clears it."""
    latest = [select(func.max(AuditEvent.seq)).where(AuditEvent.action == action)
              .scalar_subquery() for action in CHECKS]
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.occurred_at, AuditEvent.detail, AuditEvent.changes)
        .where(AuditEvent.seq.in_(latest)).order_by(AuditEvent.seq))
    return [FailedCheck(CHECKS[action], at, detail) for action, at, detail, changes in rows
            if not json.loads(changes or "{}").get("ok")]
