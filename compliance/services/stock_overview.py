"""The stock overview of one location (D7): the parts of batches held there, filtered, sorted
and paged in SQL (a group can hold tens of thousands of batches)."""

from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from compliance.extensions import db
from compliance.models.location import BatchStock
from compliance.models.stock import AVAILABLE, Batch, Product
from compliance.rules.injection import expired_through

PAGE_SIZE = 50
BATCH_SORTS = {"product": (Product.strength_percent, Batch.expires_on),
               "batch": (Batch.batch_number,), "expires": (Batch.expires_on,),
               "sealed": (BatchStock.sealed_containers,), "balance": (BatchStock.balance_ul,),
               "received": (Batch.received_on,)}


@dataclass
class BatchFilters:
    product_id: int | None = None
    status: str = ""
    search: str = ""
    sort: str = "product"
    direction: str = "asc"


def _status_condition(status: str, today: date):
    """A status at one location: a batch is exhausted there when its part holds nothing."""
    live, expired = Batch.state == AVAILABLE, Batch.expires_on <= expired_through(today)
    return {
        "available": live & ~expired & (BatchStock.balance_ul > 0),
        "expired": live & expired,
        "exhausted": live & ~expired & (BatchStock.balance_ul == 0),
        "quarantined": Batch.state == "quarantined",
        "recalled": Batch.state == "recalled",
    }.get(status)


def _conditions(filters: BatchFilters, today: date) -> list:
    """The filters on a part's batch (and the part itself), as SQL conditions."""
    found = []
    if filters.product_id:
        found.append(Batch.product_id == filters.product_id)
    condition = _status_condition(filters.status, today)
    if condition is not None:
        found.append(condition)
    if filters.search:
        needle = f"%{filters.search.strip().lower()}%"
        found.append(func.lower(Batch.batch_number).like(needle)
                     | func.lower(Batch.supplier).like(needle))
    return found


class _PartsPage(SelectPagination):
    """A page of parts sorted as their ids alone, then loaded with their batches and storage
    areas: sorting narrow rows, and counting without the joins no filter needs, keeps one
    location's overview faster than the overview of every batch was (before D7)."""

    def _query_items(self) -> list[BatchStock]:
        ids = list(db.session.scalars(self._query_args["select"].limit(self.per_page)
                                      .offset(self._query_offset)))
        loaded = {part.id: part for part in db.session.scalars(
            select(BatchStock).where(BatchStock.id.in_(ids))
            # Inner joins (each part has both): SQLite would otherwise build every batch
            # with its product to join the page's parts to.
            .options(joinedload(BatchStock.batch, innerjoin=True),
                     joinedload(BatchStock.storage_area, innerjoin=True)))}
        return [loaded[part_id] for part_id in ids]

    def _query_count(self) -> int:
        return db.session.scalar(self._query_args["count_select"])


def batch_page(filters: BatchFilters, today: date, page: int,
               location_id: int) -> SelectPagination:
    """One page of the parts of batches held at a location, each with its batch and storage
    area (the index on location and batch finds them)."""
    conditions = [BatchStock.location_id == location_id, *_conditions(filters, today)]
    columns = BATCH_SORTS.get(filters.sort, BATCH_SORTS["product"])
    order = [c.desc() if filters.direction == "desc" else c.asc() for c in columns]
    ids = (select(BatchStock.id).join(BatchStock.batch).join(Batch.product).where(*conditions)
           .order_by(*order, Batch.id))
    count = select(func.count()).select_from(BatchStock).where(*conditions)
    if len(conditions) > 1:
        count = count.join(BatchStock.batch)
    return _PartsPage(select=ids, count_select=count, session=db.session, page=page,
                      per_page=PAGE_SIZE, error_out=False)
