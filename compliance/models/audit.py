"""The audit trail (D6) and electronic signatures."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.dbtypes import UTCDateTime
from compliance.extensions import db


class AuditEvent(db.Model):
    """One change or security event; chained by hash, never updated or deleted."""

    __tablename__ = "audit_events"
    __audit_exempt__ = "the audit trail itself"
    __table_args__ = (
        Index("ix_audit_events_record", "table_name", "record_id"),
        # With what a scope is decided by, and the key, so that counting and paging a month's
        # events in a scope read the index alone, not each event's row.
        Index("ix_audit_events_occurred_at_scope", "occurred_at",
              postgresql_include=["location_id", "table_name", "record_id", "actor_id", "seq"]),
        Index("ix_audit_events_actor_id", "actor_id"),
        # The latest verification, and refused attempts, are found by their action.
        Index("ix_audit_events_action_seq", "action", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(30))
    table_name: Mapped[str | None] = mapped_column(String(60))
    record_id: Mapped[str | None] = mapped_column(String(60))
    changes: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Where the record is, for a record that never moves; 0 (everywhere) for a record of no
    # location (compliance/fixed_places.py); none for any other. Not hashed: it is derived
    # from the record, and `flask audit replay` checks it. A scope reads it instead of looking
    # at each record; none means "decided by the record", so it is never a filter on its own
    # (audit_scope.py).
    location_id: Mapped[int | None] = mapped_column(Integer)


class Signature(db.Model):
    """An electronic signature over one exact version of a record."""

    __tablename__ = "signatures"
    __table_args__ = (Index("ix_signatures_record", "record_table", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_table: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(60))
    meaning: Mapped[str] = mapped_column(String(60))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    printed_name: Mapped[str] = mapped_column(String(120))
    registration: Mapped[str] = mapped_column(String(40), default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    record_hash: Mapped[str] = mapped_column(String(64))

    signer = relationship("User", lazy="joined")
