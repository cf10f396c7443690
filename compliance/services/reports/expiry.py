"""Report 4, expiry: batches expiring within the near-expiry window, expired batches still
holding stock; one row per location holding a part of the batch (D7), which is where it is
used or disposed of."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Batch, BatchStock, Location, Product
from compliance.rules.flags import near_expiry_until
from compliance.rules.injection import is_expired
from compliance.services.reports.common import (
    Filters,
    Listing,
    Result,
    at_locations,
    page_in_python,
    sort_in_python,
)
from compliance.services.rule_facts import near_expiry_days

SORTS = {"expires_on": "Expiry", "product_name": "Product", "batch_number": "Batch",
         "location": "Location", "balance_ul": "Balance"}


@dataclass
class ExpiryRow:
    batch_id: int
    product_name: str
    batch_number: str
    expires_on: date
    state: str
    balance_ul: int
    sealed_containers: int
    days_left: int  # until the expiry date: 0 on the date itself, still a day of use
    location: str = ""
    expired: bool = False
    reversals: int = 0  # ledger entries of the batch corrected by a reversal

    @property
    def status(self) -> str:
        if self.expired:
            return "expired"
        return "expires today" if self.days_left == 0 else "expiring soon"

    @property
    def corrected(self) -> bool:
        return self.reversals > 0

    @property
    def corrections(self) -> list[str]:
        return [f"{self.reversals} ledger entry(ies) reversed"] if self.reversals else []


def _holding_stock(filters: Filters, until: date):
    query = (select(Batch.id, Product.name, Batch.batch_number, Batch.expires_on, Batch.state,
                    BatchStock.balance_ul, BatchStock.sealed_containers, Location.name,
                    Batch.reversal_count)
             .join(Product, Product.id == Batch.product_id)
             .join(BatchStock, BatchStock.batch_id == Batch.id)
             .join(Location, Location.id == BatchStock.location_id)
             .where(BatchStock.balance_ul > 0, Batch.expires_on <= until))
    query = at_locations(query, BatchStock.location_id, filters)
    chosen = ((filters.date_from, Batch.expires_on.__ge__),
              (filters.date_to, Batch.expires_on.__le__),
              (filters.product_id, Batch.product_id.__eq__), (filters.batch_id, Batch.id.__eq__))
    return query.where(*(compare(value) for value, compare in chosen if value))


def report(filters: Filters, listing: Listing) -> Result:
    today, window_days = local_today(), near_expiry_days()
    query = _holding_stock(filters, near_expiry_until(today, window_days))
    rows = [ExpiryRow(*r[:7], days_left=(r.expires_on - today).days, location=r[7],
                      expired=is_expired(r.expires_on, today), reversals=r[-1])
            for r in db.session.execute(query)]
    rows = sort_in_python(rows, listing.sort, listing.descending)
    expired = [r for r in rows if r.expired]
    # Batches, not parts: a batch split across two locations is one batch to act on.
    return Result(page_in_python(rows, listing), len(rows), {
        "expired": len({r.batch_id for r in expired}),
        "expiring": len({r.batch_id for r in rows if not r.expired}),
        "expired_ul": sum(r.balance_ul for r in expired),
        "expiring_ul": sum(r.balance_ul for r in rows if not r.expired)},
        {"window_days": window_days, "today": today})
