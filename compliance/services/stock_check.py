"""`flask stock check` per location (D7): each part of a batch held at a location against the
sum of that batch's ledger entries there, and the parts against the batch's own balance."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models.location import BatchStock, Location
from compliance.models.stock import Batch, LedgerEntry

Held = tuple[int, int]  # microlitres, sealed containers


@dataclass(frozen=True)
class PartMismatch:
    """A batch's part at a location that differs from its ledger entries there."""

    batch: Batch
    location: Location
    stored: Held
    ledger: Held

    def __str__(self) -> str:
        return (f"{self.batch} at {self.location}: stored {self.stored[0]} ul / "
                f"{self.stored[1]} sealed, its ledger there {self.ledger[0]} ul / "
                f"{self.ledger[1]} sealed")


@dataclass(frozen=True)
class PartsMismatch:
    """A batch whose parts do not add up to its balance."""

    batch: Batch
    parts: Held

    def __str__(self) -> str:
        return (f"{self.batch}: its parts at every location add up to {self.parts[0]} ul / "
                f"{self.parts[1]} sealed, the batch holds {self.batch.balance_ul} ul / "
                f"{self.batch.sealed_containers} sealed")


def _ledger_per_location() -> dict[tuple[int, int], Held]:
    return {(batch_id, location_id): (int(ul), int(containers))
            for batch_id, location_id, ul, containers in db.session.execute(
                select(LedgerEntry.batch_id, LedgerEntry.location_id,
                       func.sum(LedgerEntry.quantity_ul), func.sum(LedgerEntry.containers))
                .group_by(LedgerEntry.batch_id, LedgerEntry.location_id))}


def _stored_parts() -> dict[tuple[int, int], Held]:
    return {(batch_id, location_id): (ul, sealed)
            for batch_id, location_id, ul, sealed in db.session.execute(
                select(BatchStock.batch_id, BatchStock.location_id, BatchStock.balance_ul,
                       BatchStock.sealed_containers))}


def part_mismatches() -> list[PartMismatch]:
    """Every (batch, location) whose stored part differs from the sum of its ledger entries
    there; a missing part or a part with no entries counts as holding nothing."""
    ledger, stored = _ledger_per_location(), _stored_parts()
    found = []
    for batch_id, location_id in sorted(ledger.keys() | stored.keys()):
        held, summed = (stored.get((batch_id, location_id), (0, 0)),
                        ledger.get((batch_id, location_id), (0, 0)))
        if held != summed:
            found.append(PartMismatch(db.session.get(Batch, batch_id),
                                      db.session.get(Location, location_id), held, summed))
    return found


def parts_mismatches() -> list[PartsMismatch]:
    """Every batch whose parts at all locations do not add up to its running balance."""
    sums: dict[int, Held] = defaultdict(lambda: (0, 0))
    for (batch_id, _location_id), (ul, sealed) in _stored_parts().items():
        sums[batch_id] = (sums[batch_id][0] + ul, sums[batch_id][1] + sealed)
    found = []
    for batch_id, balance_ul, sealed in db.session.execute(
            select(Batch.id, Batch.balance_ul, Batch.sealed_containers).order_by(Batch.id)):
        if sums[batch_id] != (balance_ul, sealed):
            found.append(PartsMismatch(db.session.get(Batch, batch_id), sums[batch_id]))
    return found


def problems() -> list[str]:
    """Both checks, in words, as `flask stock check` and a restore check print them."""
    return ([f"part of {mismatch}" for mismatch in part_mismatches()]
            + [str(mismatch) for mismatch in parts_mismatches()])
