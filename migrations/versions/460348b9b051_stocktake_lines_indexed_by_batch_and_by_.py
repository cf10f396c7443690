"""stocktake lines indexed by batch and by stocktake: a batch's last count is found through
the first (the reconciliation's page of batches read every line of every stocktake: 400,000
at national scale), a stocktake's lines through the second

Revision ID: 460348b9b051
Revises: 9e4b7c2d1f60
Create Date: 2026-11-27 04:22:57.889447

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '460348b9b051'
down_revision = '9e4b7c2d1f60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stocktake_lines', schema=None) as batch_op:
        batch_op.create_index('ix_stocktake_lines_batch_id_id', ['batch_id', 'id'], unique=False)
        batch_op.create_index('ix_stocktake_lines_stocktake_id', ['stocktake_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stocktake_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_stocktake_lines_stocktake_id')
        batch_op.drop_index('ix_stocktake_lines_batch_id_id')
