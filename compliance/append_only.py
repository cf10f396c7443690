"""DDL that makes a table append-only in the database itself (used by migrations).

Keep this stable: migrations that have already run import it.
"""

from alembic import op

# Every table a migration made append-only (`make_append_only` and `forbid_truncate`): the
# app's role may only read and add rows there (compliance/grants.py). A migration that makes
# another table append-only adds it here; a test compares this with the database's triggers.
APPEND_ONLY_TABLES = ("audit_events", "signatures", "ledger_entries", "injections",
                      "injection_reversals", "session_addenda", "temperature_readings")

SQLITE_TRIGGERS = (
    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
    "BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END;",
    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
    "BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END;",
)
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
END $$;
"""
POSTGRES_TRIGGER = ("CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION forbid_change();")


POSTGRES_TRUNCATE_TRIGGER = ("CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                             "FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();")


def make_append_only(table: str) -> None:
    """Reject every UPDATE and DELETE on `table`, whoever is connected (a new table also
    calls `forbid_truncate`)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER.format(table=table))
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement.format(table=table))


def drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def forbid_truncate(table: str) -> None:
    """Reject TRUNCATE of `table` on PostgreSQL, which row triggers do not see (SQLite has no
    TRUNCATE: its DELETE, with or without a WHERE, meets the row trigger)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRUNCATE_TRIGGER.format(table=table))


def allow_truncate(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
