"""A clinic group (D7): the provider's locations, their storage areas, who works where, and
the part of each batch held at each location."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.dbtypes import UTCDateTime
from compliance.extensions import db

STORAGE_KINDS = ("locked cupboard", "medicines fridge", "other")
# The location every record made before locations existed belongs to (seeds.FIRST_LOCATION).
FIRST_LOCATION_ID = 1


class Location(db.Model):
    """A place the provider treats patients at, registered with the regulator; never deleted,
    only deactivated with a reason."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    # The regulator's own id for the location (e.g. the CQC's "1-123456789"); unknown for the
    # location the migration made until a manager enters it.
    regulator_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivation_reason: Mapped[str | None] = mapped_column(Text)

    storage_areas: Mapped[list["StorageArea"]] = relationship(
        back_populates="location", order_by="StorageArea.name")

    def __str__(self) -> str:
        return self.name


class StorageArea(db.Model):
    """A locked cupboard or a medicines fridge at one location, with the temperature range
    the products kept there need; never deleted, only deactivated with a reason."""

    __tablename__ = "storage_areas"
    __table_args__ = (
        UniqueConstraint("location_id", "name", name="uq_storage_areas_location_name"),
        CheckConstraint("min_temp_c < max_temp_c", name="temperature_range_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))
    min_temp_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    max_temp_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivation_reason: Mapped[str | None] = mapped_column(Text)

    location: Mapped[Location] = relationship(back_populates="storage_areas")

    def __str__(self) -> str:
        return f"{self.location.name}: {self.name}"


class UserLocation(db.Model):
    """A location a user works at (D7). A user with `all_locations` needs none."""

    __tablename__ = "user_locations"
    __table_args__ = (UniqueConstraint("user_id", "location_id",
                                       name="uq_user_locations_user_location"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)

    location: Mapped[Location] = relationship()


class BatchStock(db.Model):
    """The part of a batch held at one location, in the storage area it was put in: its own
    running balance, changed only together with a ledger entry naming that location."""

    __tablename__ = "batch_stocks"
    __audit_exempt__ = ("a running sum of the ledger entries of one batch at one location, "
                        "each audited; checked by flask stock check")
    __table_args__ = (
        UniqueConstraint("batch_id", "location_id", name="uq_batch_stocks_batch_location"),
        CheckConstraint("balance_ul >= 0", name="location_balance_not_negative"),
        CheckConstraint("sealed_containers >= 0", name="location_sealed_not_negative"),
        Index("ix_batch_stocks_location_batch", "location_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    storage_area_id: Mapped[int] = mapped_column(ForeignKey("storage_areas.id"), index=True)
    balance_ul: Mapped[int] = mapped_column(Integer, default=0)
    sealed_containers: Mapped[int] = mapped_column(Integer, default=0)

    batch = relationship("Batch")
    location: Mapped[Location] = relationship()
    storage_area: Mapped[StorageArea] = relationship()

    @property
    def opened_ul(self) -> int:
        """Volume left in containers already opened here: what this part holds beyond its
        sealed containers."""
        return self.balance_ul - self.sealed_containers * self.batch.product.container_volume_ul
