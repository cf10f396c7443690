"""kept forms: a form sent after the idle timeout, kept to be restored

Revision ID: ea91b703a28a
Revises: 7faef653e2e2
Create Date: 2026-11-26 15:16:03.822140

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ea91b703a28a'
down_revision = '7faef653e2e2'
branch_labels = None
depends_on = None


def upgrade():
    # A form sent after the idle timeout, kept (never its CSRF token, passwords or codes) for
    # at most 30 minutes until its user signs in again and finds it back in the form.
    op.create_table('kept_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('page_url', sa.String(length=2000), nullable=False),
    sa.Column('action_url', sa.String(length=2000), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('kept_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_forms_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_forms'))
    )
    with op.batch_alter_table('kept_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_forms_kept_at'), ['kept_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_forms_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_forms_user_id'))
        batch_op.drop_index(batch_op.f('ix_kept_forms_kept_at'))

    op.drop_table('kept_forms')
