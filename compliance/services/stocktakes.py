"""Stocktakes (D2): sealed containers counted per batch; a discrepancy needs a reason and a
second person's countersignature, and posts a stocktake-correction entry."""

from dataclasses import dataclass

from sqlalchemy import select

from compliance import locations
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models.stock import STOCKTAKE_CORRECTION, Batch
from compliance.models.stocktake import Stocktake, StocktakeLine
from compliance.scope import narrowed
from compliance.services import ensure_can, ledger
from compliance.services.signatures import COUNTERSIGNER, second_person, sign_as_second
from compliance.services.unit_of_work import unit_of_work


@dataclass
class Count:
    batch_id: int
    counted_containers: int
    reason: str | None = None


@dataclass
class Countersignature:
    email: str | None
    password: str | None
    code: str | None = None


def batches_to_count(location_ids: frozenset[int] | None = None) -> list[Batch]:
    """Every batch with sealed containers on the shelf (with a part at `location_ids`; None:
    anywhere), by product and expiry."""
    return list(db.session.scalars(narrowed(
        select(Batch).where(Batch.sealed_containers > 0)
        .order_by(Batch.product_id, Batch.expires_on, Batch.id), Batch, location_ids)))


def _line(count: Count) -> StocktakeLine:
    if count.counted_containers is None or count.counted_containers < 0:
        raise InvalidInput("Enter the number of sealed containers counted (0 or more).",
                           field=f"count-{count.batch_id}")
    batch = ledger.locked_batch(count.batch_id)
    line = StocktakeLine(batch=batch, expected_containers=batch.sealed_containers,
                         counted_containers=count.counted_containers,
                         reason=(count.reason or "").strip() or None)
    if line.discrepancy and not line.reason:
        raise InvalidInput(f"{batch}: the count differs by {line.discrepancy:+d}; give a reason.",
                           field=f"reason-{count.batch_id}")
    return line


def _post_corrections(actor, stocktake: Stocktake) -> None:
    for line in stocktake.lines:
        if line.discrepancy:
            volume = line.discrepancy * line.batch.product.container_volume_ul
            ledger.post(actor, line.batch, STOCKTAKE_CORRECTION, volume, line.discrepancy,
                        location_id=stocktake.location_id, stocktake_id=stocktake.id,
                        reason=line.reason)


@unit_of_work("record a stocktake")
def record_stocktake(actor, counts: list[Count], note: str | None,
                     second: Countersignature) -> Stocktake:
    """Record the counts; discrepancies are corrected only with a countersignature."""
    ensure_can(actor, "manage_stock")
    if not counts:
        raise InvalidInput("There is nothing to count.")
    ledger.locked_batches(count.batch_id for count in counts)
    lines = [_line(count) for count in counts]
    differs = any(line.discrepancy for line in lines)
    signer = second_person(actor, second.email, COUNTERSIGNER) if differs else None
    stocktake = Stocktake(counted_by_id=actor.id, location_id=locations.acting_location_id(actor),
                          note=(note or "").strip() or None,
                          countersigned_by_id=signer.id if signer else None, lines=lines)
    db.session.add(stocktake)
    if signer is not None:
        sign_as_second(stocktake, signer, second.password, "countersigned stocktake",
                       second.code)
        _post_corrections(actor, stocktake)
    return stocktake
