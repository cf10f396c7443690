"""transfers (D7): sealed containers sent between locations, in transit until received or
cancelled; each batch keeps the totals of its transfer entries

Revision ID: 0d84ec811daa
Revises: 748182958f1d
Create Date: 2026-11-26 18:36:09.340784

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0d84ec811daa'
down_revision = '748182958f1d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=False),
    sa.Column('to_location_id', sa.Integer(), nullable=False),
    sa.Column('containers_sent', sa.Integer(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('containers_received', sa.Integer(), nullable=True),
    sa.Column('difference_reason', sa.Text(), nullable=True),
    sa.Column('storage_area_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancellation_reason', sa.Text(), nullable=True),
    sa.Column('sent_entry_id', sa.Integer(), nullable=False),
    sa.Column('received_entry_id', sa.Integer(), nullable=True),
    sa.Column('difference_entry_id', sa.Integer(), nullable=True),
    sa.Column('returned_entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('in transit', 'received', 'cancelled')", name=op.f('ck_transfers_known_status')),
    sa.CheckConstraint('containers_received >= 0', name=op.f('ck_transfers_containers_received_not_negative')),
    sa.CheckConstraint('containers_sent > 0', name=op.f('ck_transfers_containers_sent_positive')),
    sa.CheckConstraint('from_location_id <> to_location_id', name=op.f('ck_transfers_between_two_locations')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_transfers_batch_id_batches')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_transfers_cancelled_by_id_users')),
    sa.ForeignKeyConstraint(['difference_entry_id'], ['ledger_entries.id'], name=op.f('fk_transfers_difference_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_transfers_from_location_id_locations')),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_transfers_received_by_id_users')),
    sa.ForeignKeyConstraint(['received_entry_id'], ['ledger_entries.id'], name=op.f('fk_transfers_received_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['returned_entry_id'], ['ledger_entries.id'], name=op.f('fk_transfers_returned_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_transfers_sent_by_id_users')),
    sa.ForeignKeyConstraint(['sent_entry_id'], ['ledger_entries.id'], name=op.f('fk_transfers_sent_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['storage_area_id'], ['storage_areas.id'], name=op.f('fk_transfers_storage_area_id_storage_areas')),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_transfers_to_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index('ix_transfers_batch_status', ['batch_id', 'status'], unique=False)
        batch_op.create_index('ix_transfers_from_location_status', ['from_location_id', 'status'], unique=False)
        batch_op.create_index('ix_transfers_to_location_status', ['to_location_id', 'status'], unique=False)

    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_out_total_ul', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('transfer_in_total_ul', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('transfer_difference_total_ul', sa.Integer(), server_default='0', nullable=False))
    # No ledger entry of these types exists yet: every batch's totals start at zero.


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): a batch-mode table copy would trip the foreign keys
    # that point at batches.
    for column in ("transfer_difference_total_ul", "transfer_in_total_ul",
                   "transfer_out_total_ul"):
        op.execute(f"ALTER TABLE batches DROP COLUMN {column}")

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index('ix_transfers_to_location_status')
        batch_op.drop_index('ix_transfers_from_location_status')
        batch_op.drop_index('ix_transfers_batch_status')

    op.drop_table('transfers')
