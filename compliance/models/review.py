"""A manager's review of one compliance exception (D5.5, D8): who looked at it, when, and
what they noted. Exceptions are found afresh by the report; a review names its exception by
a key the report gives each one (`flag-12`, `refused-340`)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.clock import utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db


class ExceptionReview(db.Model):
    """One review; an exception is reviewed once (its key is unique), and a review is never
    changed: the audit trail records it like every other row."""

    __tablename__ = "exception_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    exception_key: Mapped[str] = mapped_column(String(60), unique=True)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text)
    # Where the exception happened (D7), so that a scoped user sees only their locations'
    # reviews; none for a refused attempt, which belongs to no location.
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))

    reviewed_by = relationship("User")
