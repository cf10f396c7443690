"""Transfers between locations (D7): when sealed containers may be sent, received and
cancelled. Pure: services/transfers.py gathers the facts, the capability table says which
roles act (compliance/permissions.py)."""

from dataclasses import dataclass
from datetime import date

from compliance.errors import InsufficientStock, InvalidInput, NotAtLocation, TransferRefusal
from compliance.rules.facts import BatchFacts
from compliance.rules.injection import check_batch_usable

IN_TRANSIT, RECEIVED, CANCELLED = "in transit", "received", "cancelled"
TRANSFER_STATUSES = (IN_TRANSIT, RECEIVED, CANCELLED)
# The most containers one transfer sends or one count names: their volume then stays well
# within the ledger's integers, and no clinic moves more in one box.
MAX_CONTAINERS = 10_000


@dataclass(frozen=True)
class Place:
    """A location or a storage area, as a transfer's rules see it."""

    id: int
    name: str
    active: bool = True
    location_id: int | None = None  # a storage area's location


@dataclass(frozen=True)
class Sending:
    """What a manager asks to send, and what the sending location holds of the batch."""

    batch: BatchFacts
    from_location_id: int
    destination: Place | None
    sealed_here: int
    containers: int | None


@dataclass(frozen=True)
class TransferFacts:
    """A transfer already sent."""

    status: str
    containers_sent: int
    sender: Place
    receiver: Place


def check_send(sending: Sending, on: date) -> None:
    """Sealed containers of a usable batch go to another active location, never more than
    the sending location holds."""
    if sending.containers is None or not 0 < sending.containers <= MAX_CONTAINERS:
        raise InvalidInput(f"Enter a number of containers from 1 to {MAX_CONTAINERS:,}.",
                           field="containers")
    destination = sending.destination
    if destination is None:
        raise InvalidInput("Choose the location to send to.", field="to_location_id")
    if destination.id == sending.from_location_id:
        raise TransferRefusal(f"The containers are already at {destination.name}: choose "
                              "another location.", field="to_location_id")
    if not destination.active:
        raise TransferRefusal(f"{destination.name} is no longer active: stock cannot be sent "
                              "there.", field="to_location_id")
    check_batch_usable(sending.batch, on)
    if sending.containers > sending.sealed_here:
        raise InsufficientStock(f"This location holds {sending.sealed_here} sealed containers "
                                f"of {sending.batch.label}: {sending.containers} cannot be "
                                "sent.", field="containers")


def check_in_transit(transfer: TransferFacts) -> None:
    """A transfer is received or cancelled once, and only while it is in transit."""
    if transfer.status == RECEIVED:
        raise TransferRefusal("This transfer has already been received.")
    if transfer.status == CANCELLED:
        raise TransferRefusal("This transfer was cancelled: its containers went back to "
                              f"{transfer.sender.name}.")


def check_receipt(transfer: TransferFacts, working_location_ids: frozenset[int],
                  containers_received: int | None, difference_reason: str) -> None:
    """Confirmed once, by a user who works at the receiving location (wherever their current
    location is set: the entries are made there); a count that differs from what was sent
    needs a reason."""
    check_in_transit(transfer)
    if transfer.receiver.id not in working_location_ids:
        raise NotAtLocation(f"What arrived is confirmed by a user working at "
                            f"{transfer.receiver.name}.")
    if containers_received is None or not 0 <= containers_received <= MAX_CONTAINERS:
        raise InvalidInput(f"Enter the sealed containers that arrived (0 to "
                           f"{MAX_CONTAINERS:,}).", field="containers_received")
    difference = containers_received - transfer.containers_sent
    if difference and not difference_reason:
        raise InvalidInput(f"{containers_received} counted where {transfer.containers_sent} "
                           f"were sent ({difference:+d}): give a reason.",
                           field="difference_reason")


def check_storage_area(area: Place | None, receiver: Place, kept_in: Place | None) -> None:
    """What arrives goes into an active storage area of the receiving location; where that
    location already keeps some of the batch (`kept_in`), into the same one."""
    if area is None or area.location_id != receiver.id:
        raise InvalidInput(f"Choose a storage area at {receiver.name}.", field="storage_area_id")
    if not area.active:
        raise InvalidInput(f"{area.name} is no longer in use: choose another storage area.",
                           field="storage_area_id")
    if kept_in is not None and kept_in.id != area.id:
        raise TransferRefusal(f"{receiver.name} keeps this batch in {kept_in.name}: put what "
                              "arrived there too.", field="storage_area_id")


def check_cancel(transfer: TransferFacts, working_location_ids: frozenset[int],
                 reason: str) -> None:
    """Only before receipt, by a manager who works at the sending location (wherever their
    current location is set), with a reason."""
    check_in_transit(transfer)
    if transfer.sender.id not in working_location_ids:
        raise NotAtLocation(f"A transfer is cancelled by a manager working at "
                            f"{transfer.sender.name}.")
    if not reason:
        raise InvalidInput("Give a reason for cancelling.", field="reason")
