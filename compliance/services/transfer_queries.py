"""Reading transfers (D7): the list and its filters, what is in transit at a location or of
a batch, what a manager may send, and the check that what is in transit adds up."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from compliance import locations
from compliance.extensions import db
from compliance.models import Batch, BatchStock, LedgerEntry, Location, StorageArea, Transfer
from compliance.models.stock import AVAILABLE
from compliance.models.transfer import TRANSIT
from compliance.rules.injection import expired_through
from compliance.rules.transfers import IN_TRANSIT, TRANSFER_STATUSES
from compliance.services.stock_queries import ledger_sums

PAGE_SIZE = 50
# Inner joins (a transfer has each of them): as outer joins, SQLite built every batch with
# its product before joining them to the transfers (60 ms at 20,000 batches).
_SHOWN = (joinedload(Transfer.batch, innerjoin=True),
          joinedload(Transfer.from_location, innerjoin=True),
          joinedload(Transfer.to_location, innerjoin=True),
          joinedload(Transfer.sent_by, innerjoin=True))


@dataclass
class TransferFilters:
    status: str = ""
    from_location_id: int | None = None
    to_location_id: int | None = None
    batch_id: int | None = None


def _visible_to(user, query):
    """Transfers with an end at a location `user` may see (D7: others are not found)."""
    visible = locations.visible_location_ids(user)
    if visible is None:
        return query
    return query.where(or_(Transfer.from_location_id.in_(visible),
                           Transfer.to_location_id.in_(visible)))


def transfer_page(user, filters: TransferFilters, page: int):
    """One page of the transfers `user` may see, newest first."""
    query = _visible_to(user, select(Transfer).options(*_SHOWN))
    if filters.status in TRANSFER_STATUSES:
        query = query.where(Transfer.status == filters.status)
    for column, value in ((Transfer.from_location_id, filters.from_location_id),
                          (Transfer.to_location_id, filters.to_location_id),
                          (Transfer.batch_id, filters.batch_id)):
        if value:
            query = query.where(column == value)
    return db.paginate(query.order_by(Transfer.id.desc()), page=page, per_page=PAGE_SIZE,
                       error_out=False)


def visible_transfer(user, transfer_id: int) -> Transfer | None:
    """The transfer, if `user` may see one of its ends."""
    return db.session.scalars(_visible_to(user, select(Transfer).options(*_SHOWN)
                                          .where(Transfer.id == transfer_id))).one_or_none()


def in_transit(user, location_id: int | None = None,
               batch_id: int | None = None) -> list[Transfer]:
    """Transfers still in transit that `user` may see: to or from `location_id`, of
    `batch_id`, oldest first."""
    query = _visible_to(user, select(Transfer).options(*_SHOWN)
                        .where(Transfer.status == IN_TRANSIT))
    if location_id is not None:
        query = query.where(or_(Transfer.from_location_id == location_id,
                                Transfer.to_location_id == location_id))
    if batch_id is not None:
        query = query.where(Transfer.batch_id == batch_id)
    return list(db.session.scalars(query.order_by(Transfer.id)))


def sendable(location_id: int, on: date) -> list[tuple[Batch, int]]:
    """Usable batches holding sealed containers at `location_id`, with how many, first
    expiry first: what a manager there may send."""
    return [(batch, sealed) for batch, sealed in db.session.execute(
        select(Batch, BatchStock.sealed_containers)
        .join(BatchStock, BatchStock.batch_id == Batch.id)
        .where(BatchStock.location_id == location_id, BatchStock.sealed_containers > 0,
               Batch.state == AVAILABLE, Batch.expires_on > expired_through(on))
        .order_by(Batch.expires_on, Batch.id))]


def visible_locations(user) -> list[Location]:
    """The locations, deactivated ones too, whose transfers `user` may see, by name."""
    query = select(Location).order_by(Location.name)
    visible = locations.visible_location_ids(user)
    if visible is not None:
        query = query.where(Location.id.in_(visible))
    return list(db.session.scalars(query))


def destinations(from_location_id: int | None) -> list[Location]:
    """Active locations other than the sending one, by name."""
    return list(db.session.scalars(select(Location).where(
        Location.active.is_(True), Location.id != (from_location_id or 0))
        .order_by(Location.name)))


def storage_areas(location_id: int) -> list[StorageArea]:
    return list(db.session.scalars(select(StorageArea).where(
        StorageArea.location_id == location_id, StorageArea.active.is_(True))
        .order_by(StorageArea.name)))


def kept_in(batch_id: int, location_id: int) -> int | None:
    """The storage area a location keeps this batch in, if it holds any of it."""
    return db.session.scalar(select(BatchStock.storage_area_id).where(
        BatchStock.batch_id == batch_id, BatchStock.location_id == location_id,
        BatchStock.balance_ul > 0))


def _sums_by_batch(query) -> dict[int, tuple[int, int]]:
    return {batch_id: (int(ul or 0), int(containers or 0))
            for batch_id, ul, containers in db.session.execute(query)}


def _held_apart_from_transit() -> dict[int, tuple[int, int]]:
    held = defaultdict(lambda: (0, 0))
    for batch_id, kind, ul, containers, _count in ledger_sums():
        if kind not in TRANSIT:
            held[batch_id] = (held[batch_id][0] + int(ul), held[batch_id][1] + int(containers))
    return held


def transit_mismatches() -> list[str]:
    """Batches for which the parts on shelves plus what is in transit differ from what the
    ledger says the batch holds apart from transit entries, or whose balance is not the sum
    of its parts: described for a person."""
    parts = _sums_by_batch(select(BatchStock.batch_id, func.sum(BatchStock.balance_ul),
                                  func.sum(BatchStock.sealed_containers))
                           .group_by(BatchStock.batch_id))
    transit = _sums_by_batch(select(Transfer.batch_id, -func.sum(LedgerEntry.quantity_ul),
                                    func.sum(Transfer.containers_sent))
                             .join(LedgerEntry, LedgerEntry.id == Transfer.sent_entry_id)
                             .where(Transfer.status == IN_TRANSIT).group_by(Transfer.batch_id))
    held = _held_apart_from_transit()
    found = []
    for batch_id, balance, sealed in db.session.execute(
            select(Batch.id, Batch.balance_ul, Batch.sealed_containers).order_by(Batch.id)):
        on_shelves, moving = parts.get(batch_id, (0, 0)), transit.get(batch_id, (0, 0))
        if (balance, sealed) != on_shelves:
            found.append(f"batch {batch_id}: balance {balance} ul / {sealed} sealed, its parts "
                         f"at locations {on_shelves[0]} ul / {on_shelves[1]} sealed")
        total = (on_shelves[0] + moving[0], on_shelves[1] + moving[1])
        if total != held[batch_id]:
            found.append(f"batch {batch_id}: parts + in transit {total[0]} ul / {total[1]} "
                         f"sealed, ledger apart from transit {held[batch_id][0]} ul / "
                         f"{held[batch_id][1]} sealed")
    return found
