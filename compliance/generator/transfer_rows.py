"""The generated group's transfers (D7): sealed containers sent between locations, received
in full, received one short with a reason, or cancelled; the last few still in transit."""

from dataclasses import dataclass
from datetime import date, timedelta

from compliance.generator.stock_rows import at
from compliance.generator.stockroom import CONTAINER_UL, SimBatch, Stockroom, drawable
from compliance.models.transfer import TRANSFER_DIFFERENCE, TRANSFER_IN, TRANSFER_OUT
from compliance.rules.transfers import CANCELLED, IN_TRANSIT, RECEIVED
from compliance.services.audit import serialise

# Each month a location sends a transfer with this chance; of those, these shares arrive one
# container short or are cancelled before receipt.
MONTHLY_CHANCE = 0.5
SHORT_SHARE, CANCELLED_SHARE = 0.06, 0.04
IN_TRANSIT_EVERY = 5  # at the end, every fifth location has a transfer still on its way
MIN_SEALED_TO_SEND = 12
MIN_DAYS_LEFT_TO_SEND = 90
SEND_REASON = "Balancing stock: the other location runs short"
# A location short of a product for a session is sent what it needs and this many more.
RESCUE_SPARE = 4
RESCUE_REASON = "Urgent: the other location has run out of this product"
SHORT_REASON = "One ampoule broken in transit"
CANCEL_REASON = "Sent to the wrong location: the van came back"


@dataclass
class Shipment:
    """A transfer being written: its row as first written, and its parts at both ends."""

    row: dict
    sent: SimBatch
    sender: tuple
    to: int


class TransferRows:
    """The transfer half of ClinicGenerator (which provides `w`, `chain`, `rng`, `parts`,
    `rooms`, `by_location`, `manager_at` and `_ledger`)."""

    def transfers(self, day: date, rooms: dict[int, Stockroom]) -> None:
        """This month's transfers, each received or cancelled the day it is sent."""
        for room in rooms.values():
            if self.rng.random() < MONTHLY_CHANCE:
                shipment = self._send(day, room, rooms)
                if shipment is not None:
                    self._settle(shipment, day, rooms)

    def still_in_transit(self, day: date, rooms: dict[int, Stockroom]) -> None:
        for room in list(rooms.values())[::IN_TRANSIT_EVERY]:
            shipment = self._send(day, room, rooms)
            if shipment is not None:
                self.w.add("transfers", shipment.row, announced=True)

    def _send(self, day: date, room: Stockroom, rooms) -> Shipment | None:
        fit = [part for part in room.live(day) if part.sealed >= MIN_SEALED_TO_SEND
               and part.expires > day + timedelta(days=MIN_DAYS_LEFT_TO_SEND)]
        if not fit:
            return None
        part = self.rng.choice(fit)
        to = self.rng.choice([other for other in rooms if other != room.location])
        return self._ship(day, part, to, self.rng.randint(2, 4), SEND_REASON)

    def rescue(self, day: date, room: Stockroom, product: int,
               containers: int) -> SimBatch | None:
        """When a location holds too little of a product for a session, the location with
        the most of it sends some that day, received in full: the part it arrives in."""
        donors = [part for other in self.rooms.values() if other is not room
                  for part in other.live(day)
                  if part.product == product and drawable(part, day)
                  and part.sealed >= containers + RESCUE_SPARE]
        if not donors:
            return None
        part = max(donors, key=lambda donor: (donor.sealed, -donor.id))
        shipment = self._ship(day, part, room.location, containers + RESCUE_SPARE,
                              RESCUE_REASON)
        self._receive(shipment, day, room, short=False)
        self.w.add("transfers", shipment.row, announced=True)
        return self.parts[part.id, room.location]

    def _ship(self, day: date, part: SimBatch, to: int, count: int, reason: str) -> Shipment:
        sender = self.manager_at(part.location)
        transfer_id = self.w.new_id("transfers")
        out = self._ledger(part, TRANSFER_OUT, -count * CONTAINER_UL, -count, sender[0], day,
                           reason=f"To {self.by_location[to].name}: {reason}")
        row = dict(id=transfer_id, batch_id=part.id, from_location_id=part.location,
                   to_location_id=to, containers_sent=count, sent_by_id=sender[0],
                   sent_at=at(day, 12), reason=reason, status=IN_TRANSIT,
                   sent_entry_id=out)
        # Its event now, as sent; the row is written once settled (the writer may insert
        # what it holds at any time).
        self.chain.created("transfers", row)
        return Shipment(row, part, sender, to)

    def _settle(self, shipment: Shipment, day: date, rooms) -> None:
        luck = self.rng.random()
        if luck < CANCELLED_SHARE:
            self._cancel(shipment, day)
        else:
            self._receive(shipment, day, rooms[shipment.to], short=luck < CANCELLED_SHARE
                          + SHORT_SHARE)
        self.w.add("transfers", shipment.row, announced=True)

    def _receive(self, shipment: Shipment, day: date, room: Stockroom, short: bool) -> None:
        row, count = shipment.row, shipment.row["containers_sent"]
        part = self._part_at(shipment.sent, room)
        receiver = self.manager_at(room.location)
        arrived = self._ledger(part, TRANSFER_IN, count * CONTAINER_UL, count, receiver[0], day,
                               reason=f"Transfer {row['id']} from "
                                      f"{self.by_location[row['from_location_id']].name}")
        difference = short and self._ledger(part, TRANSFER_DIFFERENCE, -CONTAINER_UL, -1,
                                            receiver[0], day,
                                            reason=f"Transfer {row['id']}: {SHORT_REASON}")
        room.shelve(part)
        self._changed(row, receiver, at(day, 16), status=RECEIVED, received_by_id=receiver[0],
                      received_at=at(day, 16), containers_received=count - short,
                      difference_reason=SHORT_REASON if short else None,
                      storage_area_id=self.by_location[room.location].area_id,
                      received_entry_id=arrived, difference_entry_id=difference or None)

    def _cancel(self, shipment: Shipment, day: date) -> None:
        row, count, sender = shipment.row, shipment.row["containers_sent"], shipment.sender
        back = self._ledger(shipment.sent, TRANSFER_IN, count * CONTAINER_UL, count, sender[0],
                            day, reason=f"Transfer {row['id']} to "
                                        f"{self.by_location[shipment.to].name} cancelled: "
                                        f"{CANCEL_REASON}")
        self._changed(row, sender, at(day, 15), status=CANCELLED, cancelled_by_id=sender[0],
                      cancelled_at=at(day, 15), cancellation_reason=CANCEL_REASON,
                      returned_entry_id=back)

    def _changed(self, row: dict, actor: tuple, when, **values) -> None:
        """Receipt or cancellation: one update of the transfer, as the application makes it."""
        changes = {key: [serialise(row[key]), serialise(value)] for key, value in values.items()
                   if row[key] != value}
        row.update(values)
        self.chain.append("update", "transfers", row["id"], actor[:2], when, changes)

    def _part_at(self, sent: SimBatch, room: Stockroom) -> SimBatch:
        """The batch's part at `room`'s location, empty the first time the batch comes
        there."""
        key = (sent.id, room.location)
        if key not in self.parts:
            self.parts[key] = SimBatch(sent.id, sent.product, sent.received, sent.expires, 0,
                                       0, room.location)
            room.parts.append(self.parts[key])
        return self.parts[key]
