"""Transfers between locations (D7): send, receive and cancel, each one unit of work.

Every one locks the batch (services/ledger.locked_batch) before it moves stock, so that a
transfer and a draw at the sending location never take that location's part below zero; a
receipt or a cancellation first locks the transfer row, so that two at once act once (the
second finds it no longer in transit). The ledger entries' types and what they keep true are
described in models/transfer.py.
"""

from dataclasses import dataclass

from sqlalchemy import select

from compliance import locations
from compliance.clock import local_today, utcnow
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import Batch, BatchStock, LedgerEntry, Location, StorageArea, Transfer
from compliance.models.transfer import TRANSFER_DIFFERENCE, TRANSFER_IN, TRANSFER_OUT
from compliance.rules import transfers as rules
from compliance.rules.transfers import CANCELLED, IN_TRANSIT, RECEIVED, Place
from compliance.services import ensure_can, ledger, reread
from compliance.services.audit import give_reason
from compliance.services.unit_of_work import unit_of_work


@dataclass
class Sending:
    """What a manager sends from their current location, as the form gives it."""

    batch_id: int | None
    to_location_id: int | None
    containers: int | None
    reason: str


@dataclass
class Arrival:
    """What a user working at the receiving location counted, and where they put it."""

    containers_received: int | None
    storage_area_id: int | None
    difference_reason: str = ""


def _location(location_id: int | None) -> Place | None:
    found = db.session.get(Location, location_id) if location_id else None
    return Place(found.id, found.name, found.active) if found else None


def _destination(location_id: int | None) -> Place | None:
    """The location sent to, as it is now, share-locked until commit (FOR SHARE on
    PostgreSQL): a deactivation of it at the same moment either waits and then finds this
    transfer in transit, or goes first and this send finds the location deactivated."""
    found = db.session.scalars(
        select(Location).where(Location.id == location_id).with_for_update(read=True)
        .execution_options(populate_existing=True)).one_or_none() if location_id else None
    return Place(found.id, found.name, found.active) if found else None


def _working_at(actor) -> frozenset[int]:
    """Where `actor` works, whichever location is their current one: a transfer is received
    or cancelled at its own end, not at the location chosen in the header."""
    return frozenset(location.id for location in locations.working_locations(actor))


def _facts(transfer: Transfer) -> rules.TransferFacts:
    return rules.TransferFacts(transfer.status, transfer.containers_sent,
                               _location(transfer.from_location_id),
                               _location(transfer.to_location_id))


def _part(batch_id: int, location_id: int) -> BatchStock | None:
    """The part of a (locked) batch a location holds, if it ever held any."""
    return db.session.scalars(select(BatchStock).where(
        BatchStock.batch_id == batch_id, BatchStock.location_id == location_id)).one_or_none()


def _reason(text: str | None) -> str:
    """The person's words, recorded on every audit event of the transaction too."""
    reason = (text or "").strip()
    give_reason(reason)
    return reason


@unit_of_work("send a transfer")
def send(actor, sending: Sending) -> Transfer:
    """Sealed containers leave the actor's current location's part of the batch, in transit
    to another location until received there."""
    ensure_can(actor, "send_transfer")
    reason = _reason(sending.reason)
    if not reason:
        raise InvalidInput("Give a reason for the transfer.", field="reason")
    from_id = locations.acting_location_id(actor)
    batch = ledger.locked_batch(sending.batch_id)
    here = _part(batch.id, from_id)
    destination = _destination(sending.to_location_id)
    rules.check_send(rules.Sending(batch.facts(), from_id, destination,
                                   here.sealed_containers if here else 0, sending.containers),
                     local_today())
    volume = sending.containers * batch.product.container_volume_ul
    entry = ledger.post(actor, batch, TRANSFER_OUT, -volume, -sending.containers,
                        location_id=from_id, reason=f"To {destination.name}: {reason}")
    transfer = Transfer(batch=batch, from_location_id=from_id, to_location_id=destination.id,
                        containers_sent=sending.containers, sent_by_id=actor.id,
                        sent_at=utcnow(), reason=reason, status=IN_TRANSIT, sent_entry=entry)
    db.session.add(transfer)
    return transfer


def _put_away(batch: Batch, transfer: Transfer, area_id: int | None) -> int:
    """The storage area what arrived goes into: the chosen one, which must be where the
    receiving location already keeps this batch, if it holds any."""
    area = db.session.get(StorageArea, area_id) if area_id else None
    chosen = Place(area.id, area.name, area.active, area.location_id) if area else None
    part = _part(batch.id, transfer.to_location_id)
    kept = part.storage_area if part is not None and part.balance_ul > 0 else None
    rules.check_storage_area(chosen, _location(transfer.to_location_id),
                             Place(kept.id, kept.name) if kept else None)
    part = ledger.stock_at(batch, transfer.to_location_id, chosen.id)
    part.storage_area_id = chosen.id  # an empty part goes wherever it is put now
    return chosen.id


@unit_of_work("receive a transfer")
def receive(actor, transfer_id: int, arrival: Arrival) -> Transfer:
    """Confirm what arrived, by a user who works at the receiving location: what was sent
    comes in there, and a different count is its own reasoned entry there."""
    ensure_can(actor, "receive_transfer")
    transfer = reread(Transfer, transfer_id, "No such transfer.", lock=True)
    reason = _reason(arrival.difference_reason)
    rules.check_receipt(_facts(transfer), _working_at(actor),
                        arrival.containers_received, reason)
    batch = ledger.locked_batch(transfer.batch_id)
    area_id = _put_away(batch, transfer, arrival.storage_area_id)
    sent: LedgerEntry = transfer.sent_entry
    arrived = ledger.post(actor, batch, TRANSFER_IN, -sent.quantity_ul, -sent.containers,
                          location_id=transfer.to_location_id, storage_area_id=area_id,
                          reason=f"Transfer {transfer.id} from {transfer.from_location.name}")
    difference = arrival.containers_received - transfer.containers_sent
    counted = difference and ledger.post(
        actor, batch, TRANSFER_DIFFERENCE, difference * batch.product.container_volume_ul,
        difference, location_id=transfer.to_location_id,
        reason=f"Transfer {transfer.id}: {reason}")
    # Set together, so that the receipt is one audit event of the transfer.
    transfer.status, transfer.received_by_id, transfer.received_at = RECEIVED, actor.id, utcnow()
    transfer.containers_received, transfer.storage_area_id = arrival.containers_received, area_id
    transfer.difference_reason = reason or None
    transfer.received_entry, transfer.difference_entry = arrived, counted or None
    return transfer


@unit_of_work("cancel a transfer")
def cancel(actor, transfer_id: int, reason: str) -> Transfer:
    """Before receipt, a manager who works at the sending location puts the containers back
    into its part."""
    ensure_can(actor, "cancel_transfer")
    transfer = reread(Transfer, transfer_id, "No such transfer.", lock=True)
    reason = _reason(reason)
    rules.check_cancel(_facts(transfer), _working_at(actor), reason)
    batch = ledger.locked_batch(transfer.batch_id)
    sent: LedgerEntry = transfer.sent_entry
    transfer.returned_entry = ledger.post(
        actor, batch, TRANSFER_IN, -sent.quantity_ul, -sent.containers,
        location_id=transfer.from_location_id,
        reason=f"Transfer {transfer.id} to {transfer.to_location.name} cancelled: {reason}")
    transfer.status, transfer.cancelled_by_id, transfer.cancelled_at = (CANCELLED, actor.id,
                                                                        utcnow())
    transfer.cancellation_reason = reason
    return transfer
