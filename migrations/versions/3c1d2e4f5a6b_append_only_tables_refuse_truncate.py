"""append-only tables refuse TRUNCATE too (statement triggers, PostgreSQL)

Revision ID: 3c1d2e4f5a6b
Revises: 61451b8b96cd
Create Date: 2026-11-26 11:30:00

"""
from compliance.append_only import allow_truncate, forbid_truncate

# revision identifiers, used by Alembic.
revision = '3c1d2e4f5a6b'
down_revision = '61451b8b96cd'
branch_labels = None
depends_on = None

# Every table made append-only by the migrations before this one.
APPEND_ONLY = ("audit_events", "signatures", "ledger_entries", "injections",
               "injection_reversals", "session_addenda")


def upgrade():
    for table in APPEND_ONLY:
        forbid_truncate(table)


def downgrade():
    for table in APPEND_ONLY:
        allow_truncate(table)
