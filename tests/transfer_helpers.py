"""Helpers for transfer tests (D7): a second location, users who work at one location only,
and each batch's parts, in transit and ledger apart from transit as they stand."""

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import Batch, BatchStock, LedgerEntry, Location, StorageArea, Transfer
from compliance.models.location import FIRST_LOCATION_ID
from compliance.models.transfer import TRANSIT
from compliance.rules.transfers import IN_TRANSIT
from compliance.services import transfers
from tests.location_helpers import (
    make_location,
    user_at,  # noqa: F401 - the transfer tests import it here
)

MAIN = FIRST_LOCATION_ID


def second_location(name: str = "Harbour Street") -> Location:
    """An active location with a fridge and a cupboard, in that order: a transfer's receiving
    form offers the fridge first."""
    return make_location(name, areas=("Fridge", "Cupboard"))


def area(location: Location, name: str) -> StorageArea:
    return next(a for a in location.storage_areas if a.name == name)


def send(manager, batch, to: Location, containers: int, reason: str = "Restocking"):
    return transfers.send(manager, transfers.Sending(batch.id, to.id, containers, reason))


def parts(batch_id: int) -> dict[int, tuple[int, int]]:
    """Location -> (balance in microlitres, sealed containers) of one batch."""
    db.session.expire_all()
    return {location: (ul, sealed) for location, ul, sealed in db.session.execute(
        select(BatchStock.location_id, BatchStock.balance_ul, BatchStock.sealed_containers)
        .where(BatchStock.batch_id == batch_id))}


def in_transit(batch_id: int) -> tuple[int, int]:
    """(microlitres, containers) of a batch in transit, from the transfers."""
    row = db.session.execute(
        select(func.coalesce(-func.sum(LedgerEntry.quantity_ul), 0),
               func.coalesce(func.sum(Transfer.containers_sent), 0))
        .join(LedgerEntry, LedgerEntry.id == Transfer.sent_entry_id)
        .where(Transfer.batch_id == batch_id, Transfer.status == IN_TRANSIT)).one()
    return int(row[0]), int(row[1])


def held_apart_from_transit(batch_id: int) -> tuple[int, int]:
    row = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.quantity_ul), 0),
               func.coalesce(func.sum(LedgerEntry.containers), 0))
        .where(LedgerEntry.batch_id == batch_id, LedgerEntry.entry_type.not_in(TRANSIT))).one()
    return int(row[0]), int(row[1])


def assert_parts_and_transit_add_up(batch_id: int) -> None:
    """D7's invariant: the parts over locations plus what is in transit equal what the ledger
    says the batch holds apart from transit entries; the batch's balance is its parts."""
    on_shelves = parts(batch_id).values()
    shelves = (sum(ul for ul, _ in on_shelves), sum(sealed for _, sealed in on_shelves))
    moving = in_transit(batch_id)
    assert (shelves[0] + moving[0], shelves[1] + moving[1]) == held_apart_from_transit(batch_id)
    batch = db.session.get(Batch, batch_id)
    assert (batch.balance_ul, batch.sealed_containers) == shelves
    assert batch.in_transit_ul == moving[0]
    assert min(min(part) for part in on_shelves) >= 0
