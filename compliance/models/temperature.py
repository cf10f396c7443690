"""Storage temperatures (D7): readings of each storage area, typed in or imported from a data
logger's file, and a logger's file waiting for its preview to be confirmed."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.clock import utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db

MANUAL, DATA_LOGGER = "manual", "data logger"
SOURCES = (MANUAL, DATA_LOGGER)


class TemperatureReading(db.Model):
    """One temperature of one storage area at one moment: a fact, never changed or deleted. A
    wrong reading is corrected by a new one that names it (`corrects_id`) and says why."""

    __tablename__ = "temperature_readings"
    __table_args__ = (
        CheckConstraint("source IN ('manual', 'data logger')", name="reading_source_known"),
        # The area's readings in time order: the chart, the days with a reading, duplicates.
        Index("ix_temperature_readings_area_taken", "storage_area_id", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_area_id: Mapped[int] = mapped_column(ForeignKey("storage_areas.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    temperature_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    source: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An imported reading names its file, the file's line and the file's SHA-256, so that it
    # can be traced to the logger's own record.
    file_name: Mapped[str | None] = mapped_column(String(200))
    line_number: Mapped[int | None] = mapped_column(Integer)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    # A reading corrected at most once: a later mistake is corrected on the correction.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("temperature_readings.id"),
                                                    unique=True)
    reason: Mapped[str | None] = mapped_column(Text)

    storage_area = relationship("StorageArea")
    recorded_by = relationship("User")


class TemperatureUpload(db.Model):
    """A data logger's file as uploaded, kept under a random token until its uploader
    confirms the preview (then its readings are imported and it is deleted) or it expires."""

    __tablename__ = "temperature_uploads"
    __audit_exempt__ = ("a file waiting for its preview to be confirmed, deleted on import or "
                        "when it expires; each reading imported from it is audited and names "
                        "the file, its line and its SHA-256")

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    storage_area_id: Mapped[int] = mapped_column(ForeignKey("storage_areas.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    storage_area = relationship("StorageArea")
