"""locations (D7): the provider's locations and storage areas, who works where, stock held per
location; everything recorded so far moved into the first location

Revision ID: 3f0c2b7d9e1a
Revises: a8947964026c
Create Date: 2026-11-26 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from compliance.append_only import drop_append_only, make_append_only
from compliance.seeds import FIRST_LOCATION, FIRST_STORAGE_AREA


# revision identifiers, used by Alembic.
revision = '3f0c2b7d9e1a'
down_revision = 'a8947964026c'
branch_labels = None
depends_on = None

# Tables whose rows now name where they happened; every existing row happened at the first
# location.
LOCATED = ("ledger_entries", "treatment_sessions", "stocktakes")


def _create_tables():
    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('regulator_id', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(), nullable=True),
    sa.Column('deactivation_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('name', name=op.f('uq_locations_name')),
    sa.UniqueConstraint('regulator_id', name=op.f('uq_locations_regulator_id'))
    )
    op.create_table('storage_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('min_temp_c', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('max_temp_c', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(), nullable=True),
    sa.Column('deactivation_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('min_temp_c < max_temp_c',
                       name=op.f('ck_storage_areas_temperature_range_ordered')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'],
                            name=op.f('fk_storage_areas_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_areas')),
    sa.UniqueConstraint('location_id', 'name', name='uq_storage_areas_location_name')
    )
    op.create_table('user_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'],
                            name=op.f('fk_user_locations_location_id_locations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_user_locations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_locations')),
    sa.UniqueConstraint('user_id', 'location_id', name='uq_user_locations_user_location')
    )
    op.create_index(op.f('ix_user_locations_location_id'), 'user_locations', ['location_id'])
    op.create_table('batch_stocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('storage_area_id', sa.Integer(), nullable=False),
    sa.Column('balance_ul', sa.Integer(), nullable=False),
    sa.Column('sealed_containers', sa.Integer(), nullable=False),
    sa.CheckConstraint('balance_ul >= 0', name=op.f('ck_batch_stocks_location_balance_not_negative')),
    sa.CheckConstraint('sealed_containers >= 0',
                       name=op.f('ck_batch_stocks_location_sealed_not_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'],
                            name=op.f('fk_batch_stocks_batch_id_batches')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'],
                            name=op.f('fk_batch_stocks_location_id_locations')),
    sa.ForeignKeyConstraint(['storage_area_id'], ['storage_areas.id'],
                            name=op.f('fk_batch_stocks_storage_area_id_storage_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_stocks')),
    sa.UniqueConstraint('batch_id', 'location_id', name='uq_batch_stocks_batch_location')
    )
    op.create_index('ix_batch_stocks_location_batch', 'batch_stocks',
                    ['location_id', 'batch_id'])
    op.create_index(op.f('ix_batch_stocks_storage_area_id'), 'batch_stocks',
                    ['storage_area_id'])


def _seed_first_location():
    locations = sa.table('locations', *(sa.column(name) for name in FIRST_LOCATION))
    areas = sa.table('storage_areas', *(sa.column(name) for name in FIRST_STORAGE_AREA))
    op.bulk_insert(locations, [FIRST_LOCATION])
    op.bulk_insert(areas, [FIRST_STORAGE_AREA])
    if op.get_bind().dialect.name == "postgresql":
        # The rows were inserted with their ids: the sequences start after them.
        for table in ("locations", "storage_areas"):
            op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT MAX(id) FROM {table}))")


def _add_location_column(table: str):
    # Added with the first location as its default, so existing rows (append-only ones
    # included) take it without an UPDATE; the default is then dropped: new rows name theirs.
    first = str(FIRST_LOCATION["id"])
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=False,
                                      server_default=first))
        batch_op.create_foreign_key(batch_op.f(f'fk_{table}_location_id_locations'),
                                    'locations', ['location_id'], ['id'])
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column('location_id', existing_type=sa.Integer(), server_default=None)


def upgrade():
    _create_tables()
    _seed_first_location()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('all_locations', sa.Boolean(), server_default='0',
                                      nullable=False))
    # Everyone worked everywhere there was: they keep doing so until a manager assigns them.
    op.execute("UPDATE users SET all_locations = TRUE")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # SQLite rebuilds the table to add a foreign key; the rebuild drops triggers
        drop_append_only("ledger_entries")
    for table in LOCATED:
        _add_location_column(table)
    if sqlite:
        make_append_only("ledger_entries")
    op.create_index('ix_ledger_entries_location_occurred_on', 'ledger_entries',
                    ['location_id', 'occurred_on'])
    op.create_index('ix_treatment_sessions_location_date', 'treatment_sessions',
                    ['location_id', 'session_date'])
    op.execute(f"INSERT INTO batch_stocks (batch_id, location_id, storage_area_id, balance_ul, "
               f"sealed_containers) SELECT id, {FIRST_LOCATION['id']}, "
               f"{FIRST_STORAGE_AREA['id']}, balance_ul, sealed_containers FROM batches")


def downgrade():
    op.drop_index('ix_treatment_sessions_location_date', table_name='treatment_sessions')
    op.drop_index('ix_ledger_entries_location_occurred_on', table_name='ledger_entries')
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        drop_append_only("ledger_entries")
    for table in LOCATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_location_id_locations'),
                                     type_='foreignkey')
            batch_op.drop_column('location_id')
    if sqlite:
        make_append_only("ledger_entries")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('all_locations')
    op.drop_table('batch_stocks')
    op.drop_table('user_locations')
    op.drop_table('storage_areas')
    op.drop_table('locations')
