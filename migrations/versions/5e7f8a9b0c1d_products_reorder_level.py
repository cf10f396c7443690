"""products: a reorder level in sealed containers, for the managers' daily notice

Revision ID: 5e7f8a9b0c1d
Revises: 3c1d2e4f5a6b
Create Date: 2026-11-26 12:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e7f8a9b0c1d'
down_revision = '3c1d2e4f5a6b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products') as batch_op:
        batch_op.add_column(sa.Column('reorder_level_containers', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('products') as batch_op:
        batch_op.drop_column('reorder_level_containers')
