"""late entries (D4): stocktakes keep when a count was entered, beside when it was made;
the recording times of every record with an event date are indexed

Revision ID: 61451b8b96cd
Revises: b702ecf49445
Create Date: 2026-11-26 10:07:30.413916

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '61451b8b96cd'
down_revision = 'b702ecf49445'
branch_labels = None
depends_on = None


# (An injection is found late by its administration entry, in ledger_entries.)
RECORDING_TIMES = (("follow_ups", "recorded_at"), ("ledger_entries", "recorded_at"),
                   ("treatment_sessions", "started_at"))


def upgrade():
    # Added nullable, filled from counted_at (every count so far was entered as it was made),
    # then required.
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE stocktakes SET recorded_at = counted_at")
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(), nullable=False)
    # The late entries of a date range are found by when they were entered.
    for table, column in RECORDING_TIMES:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade():
    for table, column in RECORDING_TIMES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.drop_column('recorded_at')
