"""form submissions: one-time keys so a repeated form writes nothing

Revision ID: 2516449e1c23
Revises: 170482d8b8bd
Create Date: 2026-11-26 10:14:14.354082

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2516449e1c23'
down_revision = '170482d8b8bd'
branch_labels = None
depends_on = None


def upgrade():
    # A form's one-time key, written with what the form recorded (compliance/views.py run_form).
    op.create_table('form_submissions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('result_url', sa.String(length=2000), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_form_submissions'))
    )


def downgrade():
    op.drop_table('form_submissions')
