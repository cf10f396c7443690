"""Transfers (D7): sealed containers of a batch sent from one location to another, in transit
until a user at the receiving location confirms what arrived, or cancelled before that.

The ledger sees a transfer as entries of its own types: the containers leave the sending
location's part of the batch ("transfer out"), come into the receiving location's part for
what was sent ("transfer in"; also back at the sender when cancelled), and a count that
differs from what was sent is its own reasoned entry ("transfer difference"). So for every
batch: its parts over locations + what is in transit = what its ledger holds apart from the
transit entries (TRANSIT), and `Batch.balance_ul` stays the sum of its parts on shelves.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.clock import utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db
from compliance.rules.transfers import IN_TRANSIT

TRANSFER_OUT, TRANSFER_IN = "transfer out", "transfer in"
TRANSFER_DIFFERENCE = "transfer difference"
# The entries that move stock into or out of transit, not into or out of the batch.
TRANSIT = frozenset({TRANSFER_OUT, TRANSFER_IN})


class Transfer(db.Model):
    """Sealed containers of one batch on their way between two locations; changed only by
    its receipt or its cancellation, each once."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("containers_sent > 0", name="containers_sent_positive"),
        CheckConstraint("containers_received >= 0", name="containers_received_not_negative"),
        CheckConstraint("from_location_id <> to_location_id", name="between_two_locations"),
        CheckConstraint("status IN ('in transit', 'received', 'cancelled')",
                        name="known_status"),
        Index("ix_transfers_from_location_status", "from_location_id", "status"),
        Index("ix_transfers_to_location_status", "to_location_id", "status"),
        Index("ix_transfers_batch_status", "batch_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    containers_sent: Mapped[int] = mapped_column(Integer)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=IN_TRANSIT)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    containers_received: Mapped[int | None] = mapped_column(Integer)
    difference_reason: Mapped[str | None] = mapped_column(Text)
    # Where the receiving location put what arrived.
    storage_area_id: Mapped[int | None] = mapped_column(ForeignKey("storage_areas.id"))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    # Its ledger entries: out at the sender; in at the receiver, and the difference there;
    # or, when cancelled, back in at the sender.
    sent_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))
    received_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    difference_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    returned_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    batch = relationship("Batch")
    from_location = relationship("Location", foreign_keys=[from_location_id])
    to_location = relationship("Location", foreign_keys=[to_location_id])
    storage_area = relationship("StorageArea")
    sent_by = relationship("User", foreign_keys=[sent_by_id])
    received_by = relationship("User", foreign_keys=[received_by_id])
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])
    sent_entry = relationship("LedgerEntry", foreign_keys=[sent_entry_id])
    received_entry = relationship("LedgerEntry", foreign_keys=[received_entry_id])
    difference_entry = relationship("LedgerEntry", foreign_keys=[difference_entry_id])
    returned_entry = relationship("LedgerEntry", foreign_keys=[returned_entry_id])

    @property
    def difference(self) -> int | None:
        """Containers counted on arrival less those sent (negative: short)."""
        if self.containers_received is None:
            return None
        return self.containers_received - self.containers_sent

    def __str__(self) -> str:
        return f"Transfer {self.id}"
