"""exception reviews: who reviewed which exception, when, with a note

Revision ID: a8947964026c
Revises: b842b84163d9
Create Date: 2026-11-26 15:15:17.690086

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8947964026c'
down_revision = 'b842b84163d9'
branch_labels = None
depends_on = None


def upgrade():
    # One row per reviewed exception; the report finds exceptions afresh and names each by
    # its key, so a review stays with its exception however the report is filtered.
    op.create_table('exception_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exception_key', sa.String(length=60), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_exception_reviews_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exception_reviews')),
    sa.UniqueConstraint('exception_key', name=op.f('uq_exception_reviews_exception_key'))
    )


def downgrade():
    op.drop_table('exception_reviews')
