"""Reading stock: overview, a batch's ledger, first-expiry-first-out choices, balance checks."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from compliance.extensions import db
from compliance.models.stock import (
    AVAILABLE,
    REVERSAL,
    TOTAL_COLUMNS,
    Batch,
    LedgerEntry,
    Product,
    Sclerosant,
)
from compliance.models.stocktake import Stocktake
from compliance.rules.injection import expired_through
from compliance.scope import narrowed


def sclerosants() -> list[Sclerosant]:
    """The active ingredients a product may hold (D2), as seeded first."""
    return list(db.session.scalars(select(Sclerosant).order_by(Sclerosant.id)))


def products(include_inactive: bool = True) -> list[Product]:
    query = select(Product).order_by(Product.active_ingredient, Product.strength_percent)
    if not include_inactive:
        query = query.where(Product.active.is_(True))
    return list(db.session.scalars(query))


def product_by_gtin(gtin: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.gtin == gtin))


def batch_numbered(product_id: int, batch_number: str) -> Batch | None:
    """The batch of `product_id` with this batch number (batch numbers are kept upper case)."""
    return db.session.scalar(select(Batch).where(Batch.product_id == product_id,
                                                 Batch.batch_number == batch_number.upper()))


def stocktakes_newest_first(location_ids: frozenset[int] | None = None) -> list[Stocktake]:
    """The stocktakes at `location_ids` (None: every location), newest first."""
    return list(db.session.scalars(narrowed(select(Stocktake).order_by(Stocktake.id.desc()),
                                            Stocktake, location_ids)))


PAGE_SIZE = 50
BATCH_SORTS = {"product": (Product.strength_percent, Batch.expires_on),
               "batch": (Batch.batch_number,), "expires": (Batch.expires_on,),
               "sealed": (Batch.sealed_containers,), "balance": (Batch.balance_ul,),
               "received": (Batch.received_on,)}


@dataclass
class BatchFilters:
    product_id: int | None = None
    status: str = ""
    search: str = ""
    sort: str = "product"
    direction: str = "asc"


def _status_condition(status: str, today: date):
    live, expired = Batch.state == AVAILABLE, Batch.expires_on <= expired_through(today)
    return {
        "available": live & ~expired & (Batch.balance_ul > 0),
        "expired": live & expired,
        "exhausted": live & ~expired & (Batch.balance_ul == 0),
        "quarantined": Batch.state == "quarantined",
        "recalled": Batch.state == "recalled",
    }.get(status)


def batch_page(filters: BatchFilters, today: date, page: int,
               location_ids: frozenset[int] | None = None):
    """One page of batches with a part at `location_ids` (None: every batch), filtered and
    sorted in SQL (a group can hold tens of thousands)."""
    query = narrowed(select(Batch).join(Batch.product), Batch, location_ids)
    if filters.product_id:
        query = query.where(Batch.product_id == filters.product_id)
    condition = _status_condition(filters.status, today)
    if condition is not None:
        query = query.where(condition)
    if filters.search:
        needle = f"%{filters.search.strip().lower()}%"
        query = query.where(func.lower(Batch.batch_number).like(needle)
                            | func.lower(Batch.supplier).like(needle))
    columns = BATCH_SORTS.get(filters.sort, BATCH_SORTS["product"])
    order = [c.desc() if filters.direction == "desc" else c.asc() for c in columns]
    return db.paginate(query.order_by(*order, Batch.id), page=page, per_page=PAGE_SIZE,
                       error_out=False)


def ledger(batch_id: int, location_ids: frozenset[int] | None = None) -> list[LedgerEntry]:
    """A batch's entries at `location_ids` (None: everywhere) in the order they were written
    (the running balance's order)."""
    return list(db.session.scalars(narrowed(
        select(LedgerEntry).where(LedgerEntry.batch_id == batch_id)
        .options(joinedload(LedgerEntry.actor), joinedload(LedgerEntry.witness))
        .order_by(LedgerEntry.id), LedgerEntry, location_ids)))


def reversed_entry_ids(batch_id: int) -> set[int]:
    return set(db.session.scalars(
        select(LedgerEntry.reverses_id).where(LedgerEntry.batch_id == batch_id,
                                              LedgerEntry.reverses_id.is_not(None))))


# The chair's list offers the batches to use first; any other is reached by scanning its pack.
OFFERED_AT_THE_CHAIR = 12


def usable_batches(product_id: int, on: date, limit: int | None = None) -> list[Batch]:
    """Batches a prescriber may open a container of on `on`, first expiry first (what is
    left in a container another session opened is not theirs to use)."""
    return list(db.session.scalars(
        select(Batch).where(Batch.product_id == product_id, Batch.state == AVAILABLE,
                            Batch.expires_on > expired_through(on),
                            Batch.sealed_containers > 0)
        .order_by(Batch.expires_on, Batch.id).limit(limit)))


def low_stock(on: date) -> list[tuple[Product, int]]:
    """Products in use whose sealed containers in usable batches (available, not expired on
    `on`) are at or below their reorder level, with how many they hold."""
    usable = (select(Batch.product_id, func.sum(Batch.sealed_containers).label("sealed"))
              .where(Batch.state == AVAILABLE, Batch.expires_on > expired_through(on))
              .group_by(Batch.product_id).subquery())
    held = func.coalesce(usable.c.sealed, 0)
    return [(product, int(sealed)) for product, sealed in db.session.execute(
        select(Product, held).outerjoin(usable, usable.c.product_id == Product.id)
        .where(Product.active.is_(True), Product.reorder_level_containers.is_not(None),
               held <= Product.reorder_level_containers).order_by(Product.name))]


@dataclass(frozen=True)
class BalanceMismatch:
    batch: Batch
    ledger_ul: int
    ledger_containers: int
    totals_differ: tuple[str, ...] = ()  # entry types whose kept total disagrees


def ledger_sums(connection=None):
    """Per batch and kind of entry: sum of quantities, sum of containers, number of entries."""
    return (connection or db.session).execute(
        select(LedgerEntry.batch_id, LedgerEntry.entry_type, func.sum(LedgerEntry.quantity_ul),
               func.sum(LedgerEntry.containers), func.count())
        .group_by(LedgerEntry.batch_id, LedgerEntry.entry_type))


KEPT = (*TOTAL_COLUMNS.values(), "reversal_count")


def _from_ledger(connection=None) -> tuple[dict, dict]:
    """Per batch, from its ledger: what its kept totals should be, and its balance
    (microlitres, sealed containers)."""
    totals = defaultdict(lambda: dict.fromkeys(KEPT, 0))
    balances = defaultdict(lambda: (0, 0))
    for batch_id, kind, ul, containers, count in ledger_sums(connection):
        totals[batch_id][TOTAL_COLUMNS[kind]] = int(ul)
        if kind == REVERSAL:
            totals[batch_id]["reversal_count"] = count
        ul_sum, containers_sum = balances[batch_id]
        balances[batch_id] = (ul_sum + int(ul), containers_sum + int(containers))
    return totals, balances


def kept_totals(connection=None) -> dict[int, dict[str, int]]:
    """What every batch's kept totals should be, summed from its ledger."""
    return _from_ledger(connection)[0]


def balances_adrift(batch_ids=None) -> int:
    """How many batches (of the query `batch_ids`, when given) have a running balance that
    differs from the sum of their kept movement totals: one pass over the batches, not the
    ledger."""
    kept = sum((getattr(Batch, column) for column in TOTAL_COLUMNS.values()), start=0)
    query = select(func.count()).select_from(Batch).where(Batch.balance_ul != kept)
    if batch_ids is not None:
        query = query.where(Batch.id.in_(batch_ids))
    return db.session.scalar(query)


def balance_mismatches() -> list[BalanceMismatch]:
    """Batches whose stored running balance, or a kept total, differs from the ledger."""
    expected, balances = _from_ledger()
    found = []
    for row in db.session.execute(select(Batch.id, Batch.balance_ul, Batch.sealed_containers,
                                         *(getattr(Batch, name) for name in KEPT))):
        should = expected[row.id]
        differ = tuple(name for name in KEPT if getattr(row, name) != should[name])
        if differ or (row.balance_ul, row.sealed_containers) != balances[row.id]:
            ul, containers = balances[row.id]
            found.append(BalanceMismatch(db.session.get(Batch, row.id), ul, containers, differ))
    return found
