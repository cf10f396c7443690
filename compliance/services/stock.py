"""Stock workflows (D2) on a batch already received: waste, returns, adjustments, reversals
and batch states.

Each locks the batch, asks it to post the movement (see services/ledger.py) and is one unit of
work; goods-in is in services/goods_in.py.
"""

from dataclasses import dataclass

from compliance import locations
from compliance.errors import InvalidInput, StockRefusal
from compliance.extensions import db
from compliance.models.location import Location
from compliance.models.stock import (
    ADJUSTMENT,
    RECEIPT,
    RETURN,
    WASTE,
    Batch,
    LedgerEntry,
)
from compliance.permissions import WASTE_REASON_NEEDS
from compliance.rules.waste import check_loose_volume, check_waste, needs_witness
from compliance.services import alerts, ensure_can, ledger
from compliance.services.audit import current_actor, give_reason
from compliance.services.reports.trace import recall_log
from compliance.services.signatures import WITNESS, second_person, sign_as_second
from compliance.services.unit_of_work import unit_of_work


def _require_reason(reason: str | None) -> str:
    if not (reason or "").strip():
        raise InvalidInput("Give a reason.", field="reason")
    give_reason(reason)
    return reason.strip()


@dataclass
class Waste:
    """Sealed containers and/or loose volume thrown away, and why."""

    containers: int
    volume_ul: int
    waste_reason: str
    reason: str
    witness_email: str | None = None
    witness_password: str | None = None
    witness_code: str | None = None


@unit_of_work("record waste")
def record_waste(actor, batch_id: int, waste: Waste) -> LedgerEntry:
    """Waste; any sealed container disposed of needs a witness who signs with their password
    (D2), and a prescriber records breakage and opened remainders only (D1)."""
    ensure_can(actor, "record_waste")
    check_waste(waste.waste_reason, waste.containers, waste.volume_ul)
    ensure_can(actor, WASTE_REASON_NEEDS[waste.waste_reason], field="waste_reason")
    reason = _require_reason(waste.reason)
    witness = None
    if needs_witness(waste.containers):
        witness = second_person(actor, waste.witness_email, WITNESS)
    batch = ledger.locked_batch(batch_id)
    here = db.session.get(Location, locations.acting_location_id(actor))
    part = ledger.part_at(batch, here.id)
    check_loose_volume(waste.volume_ul, part.opened_ul if part else 0, f"{batch} at {here}")
    quantity = waste.containers * batch.product.container_volume_ul + waste.volume_ul
    entry = ledger.post(actor, batch, WASTE, -quantity, -waste.containers, location_id=here.id,
                        waste_reason=waste.waste_reason, reason=reason,
                        witness_id=witness.id if witness else None)
    if witness is not None:
        sign_as_second(entry, witness, waste.witness_password, "witnessed destruction",
                       waste.witness_code)
    return entry


@unit_of_work("return stock to the supplier")
def record_return(actor, batch_id: int, containers: int, reason: str) -> LedgerEntry:
    """Sealed containers sent back to the supplier."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    if containers is None or containers <= 0:
        raise InvalidInput("Enter a number of containers above zero.", field="containers")
    batch = ledger.locked_batch(batch_id)
    entry = ledger.post(actor, batch, RETURN, -containers * batch.product.container_volume_ul,
                        -containers, reason=reason)
    return entry


@unit_of_work("adjust stock")
def adjust(actor, batch_id: int, containers: int, reason: str) -> LedgerEntry:
    """A signed correction of sealed containers that is not a stocktake."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    if not containers:
        raise InvalidInput("Enter a change other than zero.", field="containers")
    batch = ledger.locked_batch(batch_id)
    entry = ledger.post(actor, batch, ADJUSTMENT, containers * batch.product.container_volume_ul,
                        containers, reason=reason)
    return entry


REVERSIBLE = {RECEIPT, WASTE, RETURN, ADJUSTMENT}


@unit_of_work("reverse a ledger entry")
def reverse(actor, entry_id: int, reason: str) -> LedgerEntry:
    """Correct a mistaken entry by appending its opposite; nothing is edited."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise InvalidInput("No such ledger entry.")
    if entry.entry_type not in REVERSIBLE:
        raise StockRefusal(f"A {entry.entry_type} entry is corrected from its own record, "
                           "not here.")
    if entry.location_id != locations.acting_location_id(actor):
        raise StockRefusal(f"Entry {entry.id} moved stock at another location: reverse it "
                           "while working there.")
    reversal = ledger.post_reversal(actor, entry, reason)
    return reversal


@unit_of_work("change a batch's state")
def change_state(actor, batch_id: int, action: str, reason: str) -> Batch:
    """Quarantine, release or recall a batch, with a reason; a recall is final."""
    ensure_can(actor, "manage_stock")
    reason = _require_reason(reason)
    batch = ledger.locked_batch(batch_id)
    batch.change_state(action)
    if action == "recall":
        alerts.batch_recalled(batch, reason, current_actor().name, len(recall_log(batch.id)))
    return batch
