"""a location's sessions, ledger entries and injections, and a month's audit events with what
decides their scope, read from indexes alone: the scoped inspector's month of the audit report
read 300,000 events' rows and every located row of the location (1.1 s at national scale)

Each index replaces one on the same leading columns. SQLite has no INCLUDE: its indexes hold
the row's key already, and do without the injections' batch and volume.

Revision ID: 58f7e0bcc3b5
Revises: 5d1e0c7a9b42
Create Date: 2026-11-27 23:45:00.000000

"""
from alembic import op
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = '58f7e0bcc3b5'
down_revision = '5d1e0c7a9b42'
branch_labels = None
depends_on = None

# (table, old index, old columns, new index, new columns, included on PostgreSQL)
REPLACED = (
    ('treatment_sessions', 'ix_treatment_sessions_location_date', ['location_id', 'session_date'],
     'ix_treatment_sessions_location_date_id', ['location_id', 'session_date'], ['id']),
    ('ledger_entries', 'ix_ledger_entries_location_occurred_on', ['location_id', 'occurred_on'],
     'ix_ledger_entries_location_occurred_on_id', ['location_id', 'occurred_on'], ['id']),
    ('injections', 'ix_injections_session_id', ['session_id'],
     'ix_injections_session_id_id', ['session_id', 'id'], ['batch_id', 'volume_ul']),
    ('audit_events', 'ix_audit_events_occurred_at', ['occurred_at'],
     'ix_audit_events_occurred_at_keys', ['occurred_at'], ['table_name', 'record_id', 'actor_id']),
)

# An index of this name left INVALID by a concurrent build that failed.
INVALID = text("SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
               "WHERE c.relname = :name AND NOT i.indisvalid")


def upgrade():
    for table, old, _old_columns, new, columns, included in REPLACED:
        _replace(table, old, new, columns, included)


def downgrade():
    for table, old, old_columns, new, _columns, _included in REPLACED:
        _replace(table, new, old, old_columns, [])


def _replace(table: str, old: str, new: str, columns: list, included: list) -> None:
    """On PostgreSQL the new index is built, and the old one dropped, CONCURRENTLY: a plain
    build locks the table against writes, and every write adds an audit event (49 s at
    national scale). That runs outside a transaction, each index on its own, so the steps are
    written to be run again after a failure: an INVALID index a failed build left is dropped,
    an index already built is kept, one already dropped is not dropped again."""
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(new, columns, unique=False)
            batch_op.drop_index(old)
        return
    with op.get_context().autocommit_block():
        if not op.get_context().as_sql and op.get_bind().execute(
                INVALID, {"name": new}).first():
            op.drop_index(new, table_name=table, postgresql_concurrently=True)
        op.create_index(new, table, columns, unique=False, postgresql_include=included,
                        postgresql_concurrently=True, if_not_exists=True)
        op.drop_index(old, table_name=table, postgresql_concurrently=True, if_exists=True)
