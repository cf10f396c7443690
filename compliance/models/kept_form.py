"""A form sent after the idle timeout: kept for a short while so that its user, once signed in
again, finds what they typed back in the form, not yet submitted."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from compliance.clock import utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db


class KeptForm(db.Model):
    """What one user typed into one form, keyed by the page that shows the form."""

    __tablename__ = "kept_forms"
    # Not audited: nothing in it is a record until the user submits it again, and that
    # submission is audited like any other. An audit event can never be deleted, so auditing
    # the draft would keep patient details typed into it for good, where the draft itself is
    # deleted after 30 minutes or as soon as it is put back in the form.
    __audit_exempt__ = ("an unsubmitted draft, deleted within 30 minutes; its submission is "
                        "audited")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The page to land on and fill (a GET), and the form's action on it (where it was sent).
    page_url: Mapped[str] = mapped_column(String(2000))
    action_url: Mapped[str] = mapped_column(String(2000))
    # [[name, value], ...] in the order sent: a field sent several times (checkboxes) repeats.
    fields: Mapped[list] = mapped_column(JSON)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
