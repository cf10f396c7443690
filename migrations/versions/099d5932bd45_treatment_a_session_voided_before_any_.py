"""treatment: a session voided before any injection, with who, when and why

Revision ID: 099d5932bd45
Revises: 2516449e1c23
Create Date: 2026-11-26 10:13:04.945030

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '099d5932bd45'
down_revision = '2516449e1c23'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('voided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_treatment_sessions_voided_by_id_users'),
                                    'users', ['voided_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_treatment_sessions_voided_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_by_id')
        batch_op.drop_column('voided_at')
