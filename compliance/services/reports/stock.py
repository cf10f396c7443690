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
    WASTE,
)
from compliance.services.reports.common import (
    Filters,
    Listing,
    Result,
    page_in_python,
    sort_in_python,
)

SORTS = {"product_name": "Product", "batch_number": "Batch", "expires_on": "Expiry",
         "expected_ul": "Expected balance", "discrepancy": "Discrepancy"}
MOVEMENTS = ("opening_ul", "received_ul", "administered_ul", "wasted_ul", "returned_ul",
             "adjusted_ul", "stocktake_ul", "reversed_ul")


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
    stored_ul: int = 0
    ledger_total_ul: int = 0
    counted_containers: int | None = None
    counted_expected: int | None = None
    counted_at: datetime | None = None
    corrections: list[str] = field(default_factory=list)

    @property
    def expected_ul(self) -> int:
        return (self.opening_ul + self.received_ul - self.administered_ul - self.wasted_ul
                - self.returned_ul + self.adjusted_ul + self.stocktake_ul + self.reversed_ul)

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


def _movements(filters: Filters):
    opening, in_range = false(), true()
    if filters.date_from:
        opening = LedgerEntry.occurred_on < filters.date_from
        in_range = LedgerEntry.occurred_on >= filters.date_from
    if filters.date_to:
        in_range = in_range & (LedgerEntry.occurred_on <= filters.date_to)
    moved = {name: func.coalesce(func.sum(case((in_range & (LedgerEntry.entry_type == kind),
                                                sign * LedgerEntry.quantity_ul), else_=0)), 0)
             for name, kind, sign in (
                 ("received_ul", RECEIPT, 1), ("administered_ul", ADMINISTRATION, -1),
                 ("wasted_ul", WASTE, -1), ("returned_ul", RETURN, -1),
                 ("adjusted_ul", ADJUSTMENT, 1), ("stocktake_ul", STOCKTAKE_CORRECTION, 1),
                 ("reversed_ul", REVERSAL, 1))}
    return select(
        LedgerEntry.batch_id,
        func.coalesce(func.sum(case((opening, LedgerEntry.quantity_ul), else_=0)), 0)
        .label("opening_ul"),
        *(column.label(name) for name, column in moved.items()),
        func.sum(LedgerEntry.quantity_ul).label("ledger_total_ul"),
        func.sum(case((LedgerEntry.reverses_id.is_not(None), 1), else_=0)).label("reversals"),
    ).group_by(LedgerEntry.batch_id).subquery()


def _last_counts() -> dict[int, tuple]:
    latest = (select(StocktakeLine.batch_id, func.max(StocktakeLine.id).label("line_id"))
              .group_by(StocktakeLine.batch_id).subquery())
    rows = db.session.execute(
        select(StocktakeLine.batch_id, StocktakeLine.counted_containers,
               StocktakeLine.expected_containers, Stocktake.counted_at)
        .join(latest, latest.c.line_id == StocktakeLine.id)
        .join(Stocktake, Stocktake.id == StocktakeLine.stocktake_id))
    return {batch_id: (counted, expected, at) for batch_id, counted, expected, at in rows}


def batch_rows(filters: Filters) -> list[StockRow]:
    sums = _movements(filters)
    query = (select(Batch.id, Batch.batch_number, Batch.expires_on, Batch.balance_ul,
                    Product.name, sums)
             .join(Product, Product.id == Batch.product_id)
             .outerjoin(sums, sums.c.batch_id == Batch.id))
    if filters.product_id:
        query = query.where(Batch.product_id == filters.product_id)
    if filters.batch_id:
        query = query.where(Batch.id == filters.batch_id)
    counts, rows = _last_counts(), []
    for r in db.session.execute(query):
        row = StockRow(r.id, r.name, r.batch_number, r.expires_on, stored_ul=r.balance_ul,
                       ledger_total_ul=int(r.ledger_total_ul or 0),
                       **{name: int(getattr(r, name) or 0) for name in MOVEMENTS})
        if r.id in counts:
            row.counted_containers, row.counted_expected, row.counted_at = counts[r.id]
        if r.reversals:
            row.corrections.append(f"{r.reversals} ledger entry(ies) reversed")
        rows.append(row)
    return rows


def product_rows(rows: list[StockRow]) -> list[StockRow]:
    """The batch rows added up per product (the last-count columns do not add up)."""
    products: dict[str, StockRow] = {}
    for row in rows:
        total = products.setdefault(row.product_name, StockRow(None, row.product_name, "", None))
        for name in (*MOVEMENTS, "stored_ul", "ledger_total_ul"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.corrections.extend(row.corrections)
    return sorted(products.values(), key=lambda total: total.product_name)


def report(filters: Filters, listing: Listing) -> Result:
    rows = sort_in_python(batch_rows(filters), listing.sort, listing.descending)
    products = product_rows(rows)
    grand = product_rows([StockRow(None, "All products", "", None, **{
        name: sum(getattr(p, name) for p in products) for name in (*MOVEMENTS, "stored_ul",
                                                                    "ledger_total_ul")})])
    return Result(page_in_python(rows, listing), len(rows), {"all": grand[0]},
                  {"products": products})
