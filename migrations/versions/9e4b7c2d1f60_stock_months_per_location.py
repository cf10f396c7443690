"""stock months per location (D7): the monthly sums of the ledger kept per location too, with
how many entries, so that a location's reconciliation never sums its whole ledger

Revision ID: 9e4b7c2d1f60
Revises: 5c1e7a9d2b40
Create Date: 2026-11-26 22:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e4b7c2d1f60'
down_revision = '5c1e7a9d2b40'
branch_labels = None
depends_on = None


def _month(bind) -> str:
    if bind.dialect.name == "postgresql":
        return "CAST(date_trunc('month', ledger_entries.occurred_on) AS DATE)"
    return "date(ledger_entries.occurred_on, 'start of month')"


def _create(*location):
    """The table, keyed by product, (location,) month and kind of entry."""
    columns = [sa.Column('product_id', sa.Integer(), nullable=False),
               *(sa.Column('location_id', sa.Integer(), nullable=False) for _ in location),
               sa.Column('month', sa.Date(), nullable=False),
               sa.Column('entry_type', sa.String(length=30), nullable=False),
               sa.Column('quantity_ul', sa.Integer(), nullable=False)]
    keys = ['product_id', *location, 'month', 'entry_type']
    constraints = [sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                                           name=op.f('fk_stock_months_product_id_products')),
                   sa.PrimaryKeyConstraint(*keys, name=op.f('pk_stock_months'))]
    if location:
        columns.append(sa.Column('entries', sa.Integer(), nullable=False))
        constraints.append(sa.ForeignKeyConstraint(
            ['location_id'], ['locations.id'], name=op.f('fk_stock_months_location_id_locations')))
    op.create_table('stock_months', *columns, *constraints)


def upgrade():
    # A sum of the ledger: rebuilt from it rather than altered in place.
    op.drop_table('stock_months')
    _create('location_id')
    month = _month(op.get_bind())
    op.execute(
        "INSERT INTO stock_months (product_id, location_id, month, entry_type, quantity_ul, "
        f"entries) SELECT batches.product_id, ledger_entries.location_id, {month}, "
        "ledger_entries.entry_type, SUM(ledger_entries.quantity_ul), COUNT(*) "
        "FROM ledger_entries JOIN batches ON batches.id = ledger_entries.batch_id "
        f"GROUP BY batches.product_id, ledger_entries.location_id, {month}, "
        "ledger_entries.entry_type")


def downgrade():
    op.drop_table('stock_months')
    _create()
    month = _month(op.get_bind())
    op.execute(
        "INSERT INTO stock_months (product_id, month, entry_type, quantity_ul) "
        f"SELECT batches.product_id, {month}, ledger_entries.entry_type, "
        "SUM(ledger_entries.quantity_ul) FROM ledger_entries "
        "JOIN batches ON batches.id = ledger_entries.batch_id "
        f"GROUP BY batches.product_id, {month}, ledger_entries.entry_type")
