"""Form submissions already answered: the one-time key of each, so a repeat writes nothing."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from compliance.clock import utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db


class FormSubmission(db.Model):
    """One submitted form: written in the same transaction as what it recorded, so that the
    primary key refuses (or, on PostgreSQL, waits for and then refuses) a second one."""

    __tablename__ = "form_submissions"
    __audit_exempt__ = "a guard against repeats; what the form recorded is itself audited"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Where the first submission's result is shown; a repeat is sent there too.
    result_url: Mapped[str] = mapped_column(String(2000), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
