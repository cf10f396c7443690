"""Verifying the audit trail's hash chain, fast: raw rows, hashed as the databases store them."""

from dataclasses import dataclass

from sqlalchemy import select

from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services.audit import GENESIS, HASHED_FIELDS, hash_raw

PG_TIME = "to_char(occurred_at, 'YYYY-MM-DD HH24:MI:SS.US')"


@dataclass(frozen=True)
class Verification:
    """The outcome of re-computing the chain."""

    ok: bool
    count: int
    head: str
    broken_seq: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        if self.ok:
            return f"OK, {self.count} events, head {self.head}"
        return f"BROKEN at event {self.broken_seq}: {self.problem}"


def _raw_rows(connection):
    columns = [PG_TIME if name == "occurred_at" and connection.dialect.name == "postgresql"
               else name for name in HASHED_FIELDS]
    sql = f"SELECT seq, hash, {', '.join(columns)} FROM audit_events ORDER BY seq"
    # Per statement: Connection.execution_options() would change the session's connection.
    result = connection.exec_driver_sql(sql, execution_options={"stream_results": True})
    for partition in result.partitions(20_000):
        yield from partition


def _reordered_or_missing(seq: int, prev_hash: str) -> str:
    moved = db.session.scalar(select(AuditEvent.seq).where(AuditEvent.hash == prev_hash))
    if moved is not None:
        return f"events were reordered: event {seq} should come straight after event {moved}"
    return f"event {seq} does not follow event {seq - 1}"


def verify() -> Verification:
    """Re-compute every hash and link, and name the first event that breaks the chain."""
    prev, count = GENESIS, 0
    for seq, stored, *fields in _raw_rows(db.session.connection()):
        expected = count + 1
        if seq != expected:
            return Verification(False, count, prev, expected,
                                f"event {expected} is missing (the next event is {seq})")
        if hash_raw(fields) != stored:
            return Verification(False, count, prev, seq,
                                f"event {seq} was changed: its content does not match its hash")
        if fields[-1] != prev:
            return Verification(False, count, prev, seq, _reordered_or_missing(seq, fields[-1]))
        prev, count = stored, expected
    return Verification(True, count, prev)
