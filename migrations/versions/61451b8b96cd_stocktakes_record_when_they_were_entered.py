"""stocktakes: when a count was entered, beside when it was made (the late-entry flag, D4)

Revision ID: 61451b8b96cd
Revises: 170482d8b8bd
Create Date: 2026-11-26 10:07:30.413916

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '61451b8b96cd'
down_revision = '170482d8b8bd'
branch_labels = None
depends_on = None


def upgrade():
    # Added nullable, filled from counted_at (every count so far was entered as it was made),
    # then required.
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE stocktakes SET recorded_at = counted_at")
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.drop_column('recorded_at')
