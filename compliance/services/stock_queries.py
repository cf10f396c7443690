"""Reading stock: overview, a batch's ledger, first-expiry-first-out choices, balance checks."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from compliance.extensions import db
from compliance.models.location import BatchStock
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
    """Stocktakes, newest first: those of `location_ids` only when given."""
    query = select(Stocktake)
    if location_ids is not None:
        query = query.where(Stocktake.location_id.in_(location_ids))
    return list(db.session.scalars(query.order_by(Stocktake.id.desc())))


def ledger(batch_id: int, location_ids: frozenset[int] | None = None) -> list[LedgerEntry]:
    """A batch's entries in the order they were written (the running balance's order), at
    `location_ids` only when given."""
    query = select(LedgerEntry).where(LedgerEntry.batch_id == batch_id)
    if location_ids is not None:
        query = query.where(LedgerEntry.location_id.in_(location_ids))
    return list(db.session.scalars(
        query.options(joinedload(LedgerEntry.actor), joinedload(LedgerEntry.witness))
        .order_by(LedgerEntry.id)))


def reversed_entry_ids(batch_id: int) -> set[int]:
    return set(db.session.scalars(
        select(LedgerEntry.reverses_id).where(LedgerEntry.batch_id == batch_id,
                                              LedgerEntry.reverses_id.is_not(None))))


# The chair's list offers the batches to use first; any other is reached by scanning its pack.
OFFERED_AT_THE_CHAIR = 12


def usable_batches(product_id: int, on: date, location_id: int,
                   limit: int | None = None) -> list[Batch]:
    """Batches a prescriber at `location_id` may open a container of on `on`, first expiry
    first: those with sealed containers held there (what is left in a container another
    session opened is not theirs to use)."""
    held_here = (BatchStock.batch_id == Batch.id) & (BatchStock.location_id == location_id)
    return list(db.session.scalars(
        select(Batch).join(BatchStock, held_here)
        .where(Batch.product_id == product_id, Batch.state == AVAILABLE,
               Batch.expires_on > expired_through(on), BatchStock.sealed_containers > 0)
        .order_by(Batch.expires_on, Batch.id).limit(limit)))


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
