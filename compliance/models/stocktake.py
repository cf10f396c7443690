"""Stocktakes (D2): a count of sealed containers, batch by batch."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.clock import utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db
from compliance.models.stock import Batch


class Stocktake(db.Model):
    """A count of sealed containers of every batch holding stock."""

    __tablename__ = "stocktakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    counted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The location whose stock was counted (D7).
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the count was entered, beside when it was made: a count entered more than a day
    # later is a late entry (D4). Both are "now" for a count entered at the shelf.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    location = relationship("Location")
    counted_by = relationship("User", foreign_keys=[counted_by_id])
    countersigned_by = relationship("User", foreign_keys=[countersigned_by_id])
    lines: Mapped[list["StocktakeLine"]] = relationship(back_populates="stocktake",
                                                        order_by="StocktakeLine.id")

    def signed_content(self) -> dict:
        """What a countersignature covers: the stocktake and every count in it."""
        return {"id": self.id, "counted_by_id": self.counted_by_id, "note": self.note,
                "lines": [[line.batch_id, line.expected_containers, line.counted_containers,
                           line.reason] for line in self.lines]}


class StocktakeLine(db.Model):
    """The count of one batch in a stocktake."""

    __tablename__ = "stocktake_lines"
    # A batch's last count is found through the first (the reconciliation's page of
    # batches); a stocktake's lines through the second.
    __table_args__ = (Index("ix_stocktake_lines_batch_id_id", "batch_id", "id"),
                      Index("ix_stocktake_lines_stocktake_id", "stocktake_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    expected_containers: Mapped[int] = mapped_column(Integer)
    counted_containers: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)

    stocktake: Mapped[Stocktake] = relationship(back_populates="lines")
    batch: Mapped[Batch] = relationship()

    @property
    def discrepancy(self) -> int:
        return self.counted_containers - self.expected_containers
