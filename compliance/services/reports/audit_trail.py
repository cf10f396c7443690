"""Report 7, the audit trail itself, with the result of verifying its hash chain."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services import audit, audit_verify
from compliance.services.reports.common import (
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

    @property
    def corrected(self) -> bool:
        """An update is itself the record of a correction to what it names."""
        return self.action == "update"


_COLUMNS = (AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_name, AuditEvent.action,
            AuditEvent.table_name, AuditEvent.record_id, AuditEvent.changes, AuditEvent.reason,
            AuditEvent.rule, AuditEvent.detail, AuditEvent.hash)


def filtered(filters: Filters, listing: Listing):
    query = select(*_COLUMNS)
    query = between_moments(query, AuditEvent.occurred_at, filters)
    return query.order_by(AuditEvent.seq.desc() if listing.descending else AuditEvent.seq)


def report(filters: Filters, listing: Listing) -> Result:
    query = filtered(filters, listing)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = [AuditRow(*r) for r in db.session.execute(paged(query, listing))]
    # A printed report states the chain as verified now; the page shows the last check.
    verification = (audit_verify.verified_now() if listing.page is None
                    else audit_verify.last_recorded())
    seq, head_hash = audit.head()
    return Result(rows, count, {"events": count},
                  {"verification": verification, "head_seq": seq,
                   "head_hash": head_hash})


def iter_rows(filters: Filters, listing: Listing) -> Iterator[AuditRow]:
    for chunk in in_chunks(filtered(filters, listing)):
        yield from (AuditRow(*r) for r in chunk)
