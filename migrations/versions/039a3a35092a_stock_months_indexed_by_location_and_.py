"""stock months indexed by location and month, and by month: the charts of chosen locations
read their months from these sums (they summed the ledger day by day), and the group's
charts a year of months, not every row

Revision ID: 039a3a35092a
Revises: 460348b9b051
Create Date: 2026-11-27 05:02:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '039a3a35092a'
down_revision = '460348b9b051'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stock_months', schema=None) as batch_op:
        batch_op.create_index('ix_stock_months_location_month', ['location_id', 'month'],
                              unique=False)
        batch_op.create_index('ix_stock_months_month', ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('stock_months', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_months_month')
        batch_op.drop_index('ix_stock_months_location_month')
