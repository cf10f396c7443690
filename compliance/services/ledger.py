"""Writing the stock ledger: every entry is posted here, on a batch locked for the transaction.

The rules of a movement (never below zero, one reversal, a recall is final) are `Batch`'s; this
module locks the batch row first, so that concurrent writers queue on it, and keeps the entry
and its month's sum with the transaction. (Recording an injection locks its batch in the same
order, with its session before and the batch's part after: services/injection_locks.py.)
"""

from sqlalchemy import func, select

from compliance import locations
from compliance.clock import local_today
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models.location import BatchStock, StorageArea
from compliance.models.stock import Batch, LedgerEntry
from compliance.services import stock_months


def locked_batch(batch_id: int) -> Batch:
    """The batch, re-read and locked for this transaction (FOR UPDATE on PostgreSQL; SQLite
    transactions already hold the write lock from BEGIN IMMEDIATE)."""
    batch = db.session.scalars(
        select(Batch).where(Batch.id == batch_id).with_for_update(of=Batch)
        .execution_options(populate_existing=True)).one_or_none()
    if batch is None:
        raise InvalidInput("No such batch.", field="batch_id")
    return batch


def locked_batches(batch_ids) -> list[Batch]:
    """Several batches, locked in id order: every writer locking more than one takes them in
    this order, so that two writers never each hold a batch the other waits for."""
    return [locked_batch(batch_id) for batch_id in sorted(set(batch_ids))]


def part_at(batch: Batch, location_id: int) -> BatchStock | None:
    """The part of a locked batch held at a location, as committed (re-read: a part loaded
    before the batch was locked may be stale); None if stock never came there."""
    if batch.id is None:
        return None
    return db.session.scalars(select(BatchStock).where(
        BatchStock.batch_id == batch.id, BatchStock.location_id == location_id)
        .execution_options(populate_existing=True)).one_or_none()


def stock_at(batch: Batch, location_id: int, storage_area_id: int | None = None, *,
             part: BatchStock | None = None) -> BatchStock:
    """The part of a locked batch held at a location (made empty the first time stock comes
    there, in `storage_area_id` or else the location's first active storage area). An empty
    part left in a storage area since deactivated is moved the same way: stock never comes
    back into an area out of use (a reversal, a cancelled transfer's return). `part`, when
    given, is that part as the caller read it with the batch locked: not read again."""
    stock = part if part is not None else part_at(batch, location_id)
    if stock is None:
        stock = BatchStock(batch=batch, location_id=location_id, balance_ul=0,
                           sealed_containers=0,
                           storage_area_id=storage_area_id or first_area(location_id))
        db.session.add(stock)
    elif stock.balance_ul == 0 and not _in_use(stock.storage_area_id):
        stock.storage_area = db.session.get(StorageArea,
                                            storage_area_id or first_area(location_id))
    return stock


def _in_use(area_id: int) -> bool:
    """Whether a storage area is active, as committed (not as this session last loaded it)."""
    return bool(db.session.scalar(select(StorageArea.active).where(StorageArea.id == area_id)))


def first_area(location_id: int) -> int:
    """The storage area stock comes into at a location unless one is named."""
    area_id = db.session.scalar(select(StorageArea.id).where(
        StorageArea.location_id == location_id, StorageArea.active.is_(True))
        .order_by(StorageArea.id).limit(1))
    if area_id is None:
        raise InvalidInput("This location has no storage area to keep stock in: a manager "
                           "adds one first.")
    return area_id


def post(actor, batch: Batch, entry_type: str, quantity_ul: int, containers: int = 0, *,
         location_id: int | None = None, storage_area_id: int | None = None,
         part: BatchStock | None = None, **fields) -> LedgerEntry:
    """Post a ledger entry on a locked batch at a location (the actor's current one unless
    named), moving its balances; never below zero. `part`: as for `stock_at`."""
    fields.setdefault("occurred_on", local_today())
    stock = stock_at(batch, location_id or locations.acting_location_id(actor), storage_area_id,
                     part=part)
    entry = batch.post(entry_type, quantity_ul, containers, stock=stock, actor_id=actor.id,
                       **fields)
    return _kept(entry)


def post_reversal(actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Post the exact opposite of `entry`, pointing at it; an entry is reversed once."""
    batch = locked_batch(entry.batch_id)
    # Counted once the batch is locked: a reversal of the same entry committed meanwhile is seen.
    already_reversed = db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                         .where(LedgerEntry.reverses_id == entry.id)) > 0
    # A reversal undoes the movement where it happened.
    reversal = batch.reverse(entry, already_reversed, stock=stock_at(batch, entry.location_id),
                             actor_id=actor.id, reason=reason, occurred_on=local_today())
    return _kept(reversal)


def _kept(entry: LedgerEntry) -> LedgerEntry:
    db.session.add(entry)
    stock_months.add(entry.batch.product.id, entry.location_id, entry.entry_type,
                     entry.occurred_on, entry.quantity_ul)
    return entry
