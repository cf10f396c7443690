"""Helpers for audit tests: reading events and tampering with them by raw SQL."""

import json
from contextlib import contextmanager

from sqlalchemy import select, text

from compliance.extensions import db
from compliance.models import AuditEvent


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
