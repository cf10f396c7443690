"""a location's sessions, ledger entries and injections, and a month's audit events with what
decides their scope, read from indexes alone: the scoped inspector's month of the audit report
read 300,000 events' rows and every located row of the location (1.1 s at national scale)

Each index replaces one on the same leading columns. SQLite has no INCLUDE: its indexes hold
the row's key already, and do without the injections' batch and volume.

Revision ID: 58f7e0bcc3b5
Revises: 5d1e0c7a9b42
Create Date: 2026-11-27 23:45:00.000000

"""
from compliance.index_swap import replace_index


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


def upgrade():
    for table, old, _old_columns, new, columns, included in REPLACED:
        replace_index(table, old, new, columns, included)


def downgrade():
    for table, old, old_columns, new, _columns, _included in REPLACED:
        replace_index(table, new, old, old_columns, [])
