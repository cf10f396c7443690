"""Report 2, stock reconciliation per batch and per product, with the ledger-sum check."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, false, func, select, true

from compliance.extensions import db
from compliance.models import Batch, LedgerEntry, Product, Stocktake, StocktakeLine
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
from compliance.services.reports.common import Filters, Listing, Result, paged, sort_in_python

SORTS = {"product_name": "Product", "batch_number": "Batch", "expires_on": "Expiry",
         "expected_ul": "Expected balance", "discrepancy": "Discrepancy"}
MOVEMENTS = ("opening_ul", "received_ul", "administered_ul", "wasted_ul", "returned_ul",
             "adjusted_ul", "stocktake_ul", "reversed_ul", "sent_ul", "arrived_ul",
             "transfer_difference_ul")


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
    sent_ul: int = 0  # into transit (D7); arrived: out of it, back at a cancelled sender too
    arrived_ul: int = 0
    transfer_difference_ul: int = 0
    stored_ul: int = 0
    ledger_total_ul: int = 0
    counted_containers: int | None = None
    counted_expected: int | None = None
    counted_at: datetime | None = None
    corrections: list[str] = field(default_factory=list)

    @property
    def expected_ul(self) -> int:
        return (self.opening_ul + self.received_ul - self.administered_ul - self.wasted_ul
                - self.returned_ul + self.adjusted_ul + self.stocktake_ul + self.reversed_ul
                - self.in_transit_ul + self.transfer_difference_ul)

    @property
    def in_transit_ul(self) -> int:  # sent in the range and not arrived in it
        return self.sent_ul - self.arrived_ul

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


# Each kind of ledger entry, the report column it adds to, and the sign it is shown with.
COLUMNS = ((RECEIPT, "received_ul", 1), (ADMINISTRATION, "administered_ul", -1),
           (WASTE, "wasted_ul", -1), (RETURN, "returned_ul", -1), (ADJUSTMENT, "adjusted_ul", 1),
           (STOCKTAKE_CORRECTION, "stocktake_ul", 1), (REVERSAL, "reversed_ul", 1),
           (TRANSFER_OUT, "sent_ul", -1), (TRANSFER_IN, "arrived_ul", 1),
           (TRANSFER_DIFFERENCE, "transfer_difference_ul", 1))


def _movements(filters: Filters, batch_ids: list[int] | None):
    """Per batch, summed from its ledger entries: opening, each movement in the date range,
    the ledger total and the number of reversals."""
    opening, in_range = false(), true()
    if filters.date_from:
        opening = LedgerEntry.occurred_on < filters.date_from
        in_range = LedgerEntry.occurred_on >= filters.date_from
    if filters.date_to:
        in_range = in_range & (LedgerEntry.occurred_on <= filters.date_to)
    moved = {name: func.coalesce(func.sum(case((in_range & (LedgerEntry.entry_type == kind),
                                                sign * LedgerEntry.quantity_ul), else_=0)), 0)
             for kind, name, sign in COLUMNS}
    query = select(
        LedgerEntry.batch_id,
        func.coalesce(func.sum(case((opening, LedgerEntry.quantity_ul), else_=0)), 0)
        .label("opening_ul"),
        *(column.label(name) for name, column in moved.items()),
        func.sum(LedgerEntry.quantity_ul).label("ledger_total_ul"),
        func.sum(case((LedgerEntry.reverses_id.is_not(None), 1), else_=0)).label("reversals"),
    ).group_by(LedgerEntry.batch_id)
    if batch_ids is not None:
        query = query.where(LedgerEntry.batch_id.in_(batch_ids))
    return {r.batch_id: r for r in db.session.execute(query)}


def _last_counts(batch_ids: list[int] | None) -> dict[int, tuple]:
    latest = _latest_lines()
    query = (select(StocktakeLine.batch_id, StocktakeLine.counted_containers,
                    StocktakeLine.expected_containers, Stocktake.counted_at)
             .join(latest, latest.c.line_id == StocktakeLine.id)
             .join(Stocktake, Stocktake.id == StocktakeLine.stocktake_id))
    if batch_ids is not None:
        query = query.where(StocktakeLine.batch_id.in_(batch_ids))
    return {batch_id: (counted, expected, at)
            for batch_id, counted, expected, at in db.session.execute(query)}


def _latest_lines():
    return (select(StocktakeLine.batch_id, func.max(StocktakeLine.id).label("line_id"))
            .group_by(StocktakeLine.batch_id).subquery())


def _matching_batches(filters: Filters):
    query = select(Batch.id).join(Product, Product.id == Batch.product_id)
    if filters.product_id:
        query = query.where(Batch.product_id == filters.product_id)
    if filters.batch_id:
        query = query.where(Batch.id == filters.batch_id)
    return query


def _sort_columns(filters: Filters, query):
    """The page's order in SQL. The expected balance at the end date is the stored balance
    less whatever moved after it."""
    expected = Batch.balance_ul
    if filters.date_to:
        later = (select(LedgerEntry.batch_id, func.sum(LedgerEntry.quantity_ul).label("ul"))
                 .where(LedgerEntry.occurred_on > filters.date_to)
                 .group_by(LedgerEntry.batch_id).subquery())
        query = query.outerjoin(later, later.c.batch_id == Batch.id)
        expected = Batch.balance_ul - func.coalesce(later.c.ul, 0)
    latest = _latest_lines()
    query = (query.outerjoin(latest, latest.c.batch_id == Batch.id)
             .outerjoin(StocktakeLine, StocktakeLine.id == latest.c.line_id))
    discrepancy = StocktakeLine.counted_containers - StocktakeLine.expected_containers
    return query, {"product_name": Product.name, "batch_number": Batch.batch_number,
                   "expires_on": Batch.expires_on, "expected_ul": expected,
                   "discrepancy": discrepancy}


def _page_ids(filters: Filters, listing: Listing) -> list[int] | None:
    if listing.page is None:  # every batch (an export): sorted below, not named one by one
        return None
    query, columns = _sort_columns(filters, _matching_batches(filters))
    column = columns[listing.sort]
    # Batches never counted sort first, as "nothing" does everywhere else.
    first = column.desc().nulls_last() if listing.descending else column.asc().nulls_first()
    query = query.order_by(first, Batch.id.desc() if listing.descending else Batch.id)
    return list(db.session.scalars(paged(query, listing)))


def _stock_row(r, moved, counted) -> StockRow:
    """One batch's row, its movements summed from its own ledger entries."""
    totals = {name: int(getattr(moved, name) or 0) if moved else 0 for name in MOVEMENTS}
    row = StockRow(r.id, r.name, r.batch_number, r.expires_on, stored_ul=r.balance_ul,
                   ledger_total_ul=int(moved.ledger_total_ul) if moved else 0, **totals)
    if counted is not None:
        row.counted_containers, row.counted_expected, row.counted_at = counted
    if moved and moved.reversals:
        row.corrections.append(f"{moved.reversals} ledger entry(ies) reversed")
    return row


def batch_rows(filters: Filters, listing: Listing) -> list[StockRow]:
    """The batches of one page (every batch when `listing.page` is None), each summed from
    its own ledger entries so the stored balance is checked against them."""
    ids = _page_ids(filters, listing)
    batches = select(Batch.id, Batch.batch_number, Batch.expires_on, Batch.balance_ul,
                     Product.name).join(Product, Product.id == Batch.product_id)
    batches = batches.where(Batch.id.in_(_matching_batches(filters)) if ids is None
                            else Batch.id.in_(ids))
    sums, counts = _movements(filters, ids), _last_counts(ids)
    rows = {r.id: _stock_row(r, sums.get(r.id), counts.get(r.id))
            for r in db.session.execute(batches)}
    if ids is None:
        return sort_in_python(list(rows.values()), listing.sort, listing.descending)
    return [rows[batch_id] for batch_id in ids]


def _kept_totals(filters: Filters) -> dict:
    """Per product, from the totals each batch keeps: kind of entry -> microlitres, plus the
    stored balance and the number of reversals."""
    kept = {kind: func.sum(getattr(Batch, TOTAL_COLUMNS[kind])) for kind, _, _ in COLUMNS}
    query = (select(Product.name, *(total.label(kind) for kind, total in kept.items()),
                    func.sum(Batch.balance_ul).label("stored"),
                    func.sum(Batch.reversal_count).label("reversals"))
             .join(Product, Product.id == Batch.product_id)
             .where(Batch.id.in_(_matching_batches(filters))).group_by(Product.name))
    return {r.name: r._mapping for r in db.session.execute(query)}


def _ledger_by_product(filters: Filters, condition) -> dict[tuple[str, str], int]:
    query = (select(Product.name, LedgerEntry.entry_type, func.sum(LedgerEntry.quantity_ul))
             .join(Batch, Batch.id == LedgerEntry.batch_id)
             .join(Product, Product.id == Batch.product_id)
             .where(condition, LedgerEntry.batch_id.in_(_matching_batches(filters)))
             .group_by(Product.name, LedgerEntry.entry_type))
    return {(name, kind): int(ul) for name, kind, ul in db.session.execute(query)}


def product_rows(filters: Filters) -> list[StockRow]:
    """Per product, from the kept totals, less what moved outside the date range (so only
    entries from the start date on are summed, however long the ledger)."""
    since = (_ledger_by_product(filters, LedgerEntry.occurred_on >= filters.date_from)
             if filters.date_from else None)
    later = (_ledger_by_product(filters, LedgerEntry.occurred_on > filters.date_to)
             if filters.date_to else {})
    rows = []
    for name, kept in sorted(_kept_totals(filters).items()):
        row = StockRow(None, name, "", None, stored_ul=int(kept["stored"]))
        for kind, column, sign in COLUMNS:
            from_start = int(kept[kind]) if since is None else since.get((name, kind), 0)
            setattr(row, column, sign * (from_start - later.get((name, kind), 0)))
            row.opening_ul += int(kept[kind]) - from_start
            row.ledger_total_ul += int(kept[kind])
        if kept["reversals"]:
            row.corrections.append(f"{kept['reversals']} ledger entry(ies) reversed")
        rows.append(row)
    return rows


def report(filters: Filters, listing: Listing) -> Result:
    count = db.session.scalar(select(func.count()).select_from(
        _matching_batches(filters).subquery()))
    products = product_rows(filters)
    grand = StockRow(None, "All products", "", None)
    for name in (*MOVEMENTS, "stored_ul", "ledger_total_ul"):
        setattr(grand, name, sum(getattr(p, name) for p in products))
    return Result(batch_rows(filters, listing), count, {"all": grand}, {"products": products})
