"""Stock reconciliation's shared rows, and its totals per product (D7).

For every location (no location chosen, a group-wide user) the totals come from the movement
totals each batch keeps, so that ten years of ledger are never summed for a page; for the
locations of a scope, or one location, from the monthly sums kept per location (for one batch,
from its ledger entries there) and the parts of each batch held there.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, true

from compliance.extensions import db
from compliance.models import Batch, BatchStock, LedgerEntry, Product, StockMonth
from compliance.models.stock import (
    ADJUSTMENT,
    ADMINISTRATION,
    RECEIPT,
    RETURN,
    REVERSAL,
    STOCKTAKE_CORRECTION,
    TOTAL_COLUMNS,
    WASTE,
)
from compliance.models.transfer import TRANSFER_DIFFERENCE, TRANSFER_IN, TRANSFER_OUT
from compliance.scope import batches_at
from compliance.services.reports.common import Filters, at_locations

MOVEMENTS = ("opening_ul", "received_ul", "administered_ul", "wasted_ul", "returned_ul",
             "adjusted_ul", "stocktake_ul", "reversed_ul", "sent_ul", "arrived_ul",
             "transfer_difference_ul")
# Each kind of ledger entry, the report column it adds to, and the sign it is shown with.
COLUMNS = ((RECEIPT, "received_ul", 1), (ADMINISTRATION, "administered_ul", -1),
           (WASTE, "wasted_ul", -1), (RETURN, "returned_ul", -1), (ADJUSTMENT, "adjusted_ul", 1),
           (STOCKTAKE_CORRECTION, "stocktake_ul", 1), (REVERSAL, "reversed_ul", 1),
           (TRANSFER_OUT, "sent_ul", -1), (TRANSFER_IN, "arrived_ul", 1),
           (TRANSFER_DIFFERENCE, "transfer_difference_ul", 1))


@dataclass
class StockRow:
    batch_id: int | None
    product_name: str
    batch_number: str
    expires_on: date | None
    opening_ul: int = 0
    received_ul: int = 0
    administered_ul: int = 0
    wasted_ul: int = 0
    returned_ul: int = 0
    adjusted_ul: int = 0
    stocktake_ul: int = 0
    reversed_ul: int = 0
    # Transfers (D7): sent from the report's locations into transit; arrived out of transit
    # at them (received there, or back at the sender when cancelled).
    sent_ul: int = 0
    arrived_ul: int = 0
    transfer_difference_ul: int = 0
    stored_ul: int = 0
    ledger_total_ul: int = 0
    counted_containers: int | None = None
    counted_expected: int | None = None
    counted_at: datetime | None = None
    corrections: list[str] = field(default_factory=list)
    batches: int = 0  # a product's row: the batches it sums (the report's count)
    product_id: int | None = None  # a product's row: its product

    @property
    def expected_ul(self) -> int:
        return (self.opening_ul + self.received_ul - self.administered_ul - self.wasted_ul
                - self.returned_ul + self.adjusted_ul + self.stocktake_ul + self.reversed_ul
                - self.sent_ul + self.arrived_ul + self.transfer_difference_ul)

    @property
    def discrepancy(self) -> int | None:
        """Containers counted minus expected at the last stocktake."""
        if self.counted_containers is None:
            return None
        return self.counted_containers - self.counted_expected

    @property
    def mismatch(self) -> bool:
        """The stored running balance disagrees with the sum of the ledger."""
        return self.stored_ul != self.ledger_total_ul

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)


def matching_batches(filters: Filters):
    query = of_chosen(select(Batch.id).join(Product, Product.id == Batch.product_id), filters)
    if filters.location_ids is not None:
        query = query.where(Batch.id.in_(batches_at(filters.location_ids)))
    return query


def chosen(batch_column, filters: Filters):
    """The filters' product or batch, as a condition on a batch column (nothing to check
    when neither is chosen: the location is checked with the location's own column)."""
    if not (filters.product_id or filters.batch_id):
        return true()
    return batch_column.in_(matching_batches(filters))


def stored_ul(filters: Filters):
    """A batch's stored balance at the filters' locations, as a column of a query of Batch."""
    if filters.location_ids is None:
        return Batch.balance_ul
    return (select(func.coalesce(func.sum(BatchStock.balance_ul), 0))
            .where(BatchStock.batch_id == Batch.id,
                   BatchStock.location_id.in_(filters.location_ids))
            .scalar_subquery())


def _kept_totals(filters: Filters) -> dict:
    """Per product, from the totals each batch keeps: kind of entry -> microlitres, plus the
    stored balance, the number of reversals and the number of batches."""
    kept = {kind: func.sum(getattr(Batch, TOTAL_COLUMNS[kind])) for kind, _, _ in COLUMNS}
    query = (select(Product.name, *(total.label(kind) for kind, total in kept.items()),
                    func.sum(Batch.balance_ul).label("stored"),
                    func.sum(Batch.reversal_count).label("reversals"),
                    func.count().label("batches"), Product.id.label("product_id"))
             .join(Product, Product.id == Batch.product_id).group_by(Product.name, Product.id))
    return {r.name: r._mapping for r in db.session.execute(of_chosen(query, filters))}


def of_chosen(query, filters: Filters):
    """`query` of Batch limited to the filters' product or batch (every location: this is
    the group-wide total; a semi-join of every batch with itself doubled its time)."""
    if filters.product_id:
        query = query.where(Batch.product_id == filters.product_id)
    if filters.batch_id:
        query = query.where(Batch.id == filters.batch_id)
    return query


def _located_totals(filters: Filters) -> dict:
    """As `_kept_totals`, summed from the ledger entries and parts at the filters' locations."""
    moved, reversals = {}, {}
    for name, kind, ul, count in db.session.execute(_moved_at_locations(filters)):
        moved[name, kind], reversals[name, kind] = int(ul), int(count)
    parts = _parts_at_locations(filters)
    query = (select(Product.name, func.sum(parts.c.balance_ul),
                    func.count(parts.c.batch_id.distinct()), Product.id)
             .join(parts, parts.c.product_id == Product.id).group_by(Product.name, Product.id))
    if filters.product_id:
        query = query.where(Product.id == filters.product_id)
    return {name: {**{kind: moved.get((name, kind), 0) for kind, _, _ in COLUMNS},
                   "stored": int(stored or 0), "reversals": reversals.get((name, REVERSAL), 0),
                   "batches": batches, "product_id": product_id}
            for name, stored, batches, product_id in db.session.execute(query)}


def _parts_at_locations(filters: Filters):
    """The parts held at the filters' locations (of the chosen batch), each with its batch's
    product looked up by key: joined to the batches, the planner scanned all 200,000 of them
    for a location's 850 parts (40 ms, against 8)."""
    product = select(Batch.product_id).where(Batch.id == BatchStock.batch_id).scalar_subquery()
    query = (select(BatchStock.batch_id, BatchStock.balance_ul, product.label("product_id"))
             .where(BatchStock.location_id.in_(filters.location_ids)))
    if filters.batch_id:
        query = query.where(BatchStock.batch_id == filters.batch_id)
    return query.subquery()


def _moved_at_locations(filters: Filters):
    """(product, kind of entry, microlitres, entries) of every date at the filters'
    locations: from the monthly sums kept per location, or for one batch from its ledger."""
    if filters.batch_id:
        every = Filters(product_id=filters.product_id, batch_id=filters.batch_id,
                        location_ids=filters.location_ids)
        return _by_product(every, true(), func.sum(LedgerEntry.quantity_ul), func.count())
    query = (select(Product.name, StockMonth.entry_type, func.sum(StockMonth.quantity_ul),
                    func.sum(StockMonth.entries))
             .join(Product, Product.id == StockMonth.product_id)
             .where(StockMonth.location_id.in_(filters.location_ids))
             .group_by(Product.name, StockMonth.entry_type))
    if filters.product_id:
        query = query.where(StockMonth.product_id == filters.product_id)
    return query


def _by_product(filters: Filters, condition, *measures):
    """`measures` of the ledger entries matching `condition`, per product and kind of entry."""
    query = (select(Product.name, LedgerEntry.entry_type, *measures)
             .join(Batch, Batch.id == LedgerEntry.batch_id)
             .join(Product, Product.id == Batch.product_id)
             .where(condition, LedgerEntry.batch_id.in_(matching_batches(filters)))
             .group_by(Product.name, LedgerEntry.entry_type))
    return at_locations(query, LedgerEntry.location_id, filters)


def _ledger_by_product(filters: Filters, condition) -> dict[tuple[str, str], int]:
    return {(name, kind): int(ul) for name, kind, ul in db.session.execute(
        _by_product(filters, condition, func.sum(LedgerEntry.quantity_ul)))}


def product_rows(filters: Filters) -> list[StockRow]:
    """Per product, from the kept totals, less what moved outside the date range (so only
    entries from the start date on are summed, however long the ledger)."""
    since = (_ledger_by_product(filters, LedgerEntry.occurred_on >= filters.date_from)
             if filters.date_from else None)
    later = (_ledger_by_product(filters, LedgerEntry.occurred_on > filters.date_to)
             if filters.date_to else {})
    kept_totals = (_kept_totals if filters.location_ids is None else _located_totals)(filters)
    return [_product_row(name, kept, since, later) for name, kept in sorted(kept_totals.items())]


def _product_row(name: str, kept, since: dict | None, later: dict) -> StockRow:
    """One product's row from its totals of every date (`kept`), less what moved before the
    start date (all but `since`) and after the end date (`later`)."""
    row = StockRow(None, name, "", None, stored_ul=int(kept["stored"]),
                   batches=int(kept["batches"]), product_id=kept["product_id"])
    for kind, column, sign in COLUMNS:
        total = int(kept[kind] or 0)
        from_start = total if since is None else since.get((name, kind), 0)
        setattr(row, column, sign * (from_start - later.get((name, kind), 0)))
        row.opening_ul += total - from_start
        row.ledger_total_ul += total
    if kept["reversals"]:
        row.corrections.append(f"{kept['reversals']} ledger entry(ies) reversed")
    return row
