"""consent signed by the patient: drawn signature or the reason for none, and the statement
read with its SHA-256

Revision ID: b842b84163d9
Revises: ea91b703a28a
Create Date: 2026-11-26 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b842b84163d9'
down_revision = 'ea91b703a28a'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: consents recorded before patients signed on the tablet have none of these.
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_signature', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('unsigned_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('consent_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('consent_text_sha256', sa.String(length=64),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('consent_text_sha256')
        batch_op.drop_column('consent_text')
        batch_op.drop_column('unsigned_reason')
        batch_op.drop_column('patient_signature')
