"""exception reviews name the location of their exception (D7: a scoped user sees only the
reviews of their locations' exceptions)

Revision ID: 5c1e7a9d2b40
Revises: 0d84ec811daa
Create Date: 2026-11-27 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a9d2b40'
down_revision = '0d84ec811daa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exception_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_exception_reviews_location_id_locations'),
                                    'locations', ['location_id'], ['id'])
    # Every exception so far happened at the first location, but a refused attempt, which
    # belongs to no location.
    op.execute("UPDATE exception_reviews SET location_id = 1 "
               "WHERE exception_key NOT LIKE 'refused-%'")


def downgrade():
    with op.batch_alter_table('exception_reviews', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_exception_reviews_location_id_locations'),
                                 type_='foreignkey')
        batch_op.drop_column('location_id')
