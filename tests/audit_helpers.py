"""Helpers for audit tests: reading events and tampering with them by raw SQL."""

import json
from contextlib import contextmanager

from sqlalchemy import select, text

from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services import audit, audit_verify


def events(**where) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query))


def changes(event: AuditEvent) -> dict:
    return json.loads(event.changes)


def execute_raw(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


@contextmanager
def append_only_lifted(table: str):
    """Let raw SQL change `table` as an attacker with database access could."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        execute_raw(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    else:
        execute_raw(f"DROP TRIGGER {table}_no_update")
        execute_raw(f"DROP TRIGGER {table}_no_delete")
    try:
        yield
    finally:
        if dialect == "postgresql":
            db.session.rollback()
            execute_raw(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


@contextmanager
def as_superuser():
    """Every trigger of audit_events off, as a database superuser can (PostgreSQL), or the
    append-only triggers dropped from a SQLite file: what anchors are there to catch."""
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        execute_raw("ALTER TABLE audit_events DISABLE TRIGGER USER")
    else:
        execute_raw("DROP TRIGGER audit_events_no_update")
        execute_raw("DROP TRIGGER audit_events_no_delete")
    try:
        yield
    finally:
        if postgres:
            db.session.rollback()
            execute_raw("ALTER TABLE audit_events ENABLE TRIGGER USER")


def rewrite_event(seq: int, detail: str) -> None:
    """Change event `seq` and recompute the hash and link of it and of every later event, so
    that the chain itself verifies (run inside `as_superuser`)."""
    last, _ = audit.head()
    execute_raw("UPDATE audit_events SET detail = :detail WHERE seq = :seq", detail=detail,
                seq=seq)
    connection = db.session.connection()
    batches = audit_verify._row_batches(connection, seq, last)
    rows = [list(row) for batch in batches for row in batch]
    prev = events()[seq - 2].hash if seq > 1 else audit.GENESIS
    for row_seq, _stored, *fields in rows:
        fields[-1] = prev
        prev = audit.hash_raw(fields)
        db.session.execute(text("UPDATE audit_events SET prev_hash = :link, hash = :hash "
                                "WHERE seq = :seq"), {"link": fields[-1], "hash": prev,
                                                      "seq": row_seq})
    db.session.commit()


def history(users, n: int = 3) -> None:
    """`n` events about the nurse."""
    for number in range(n):
        users["nurse"].full_name = f"Name {number}"
        db.session.commit()


def anchor(runner) -> dict:
    """`flask audit anchor`; returns the checkpoint, as recorded on the trail."""
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 0, result.output
    return changes(events(action="anchor")[-1])


def verify(runner) -> tuple[int, list[str]]:
    """`flask audit verify`: its exit code and lines."""
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output.splitlines()
