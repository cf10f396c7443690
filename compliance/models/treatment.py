"""Prescriptions, treatment sessions, injections and follow-up (D3), with D4's flags."""

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.clock import utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db

AFTER_EFFECTS = ("restlessness/swelling", "blistering", "pigmentation (dark freckle)",
                 "bruising", "clot")
SEVERITIES = ("mild", "moderate", "severe")
DRAFT, SIGNED, CANCELLED = "draft", "signed", "cancelled"
OPEN = "open"
# A session opened by mistake and voided before any injection: kept, counted for nothing.
VOIDED = "voided"


class Prescription(db.Model):
    """A doctor's authorisation of a course of one product for one patient."""

    __tablename__ = "prescriptions"
    __table_args__ = (Index("ix_prescriptions_patient_product", "patient_id", "product_id"),)
    # What the doctor's signature covers; cancellation later is not a change to it.
    __signed_fields__ = ("id", "patient_id", "product_id", "consultation_id", "prescriber_id",
                         "max_volume_per_session_ul", "sessions_authorised", "valid_from",
                         "valid_until", "directions")

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    prescriber_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    max_volume_per_session_ul: Mapped[int] = mapped_column(Integer)
    sessions_authorised: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    directions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("prescriptions.id"))

    patient = relationship("Patient")
    product = relationship("Product")
    consultation = relationship("Consultation")
    prescriber = relationship("User")

    @property
    def reference(self) -> str:
        return f"RX-{self.id:06d}"


class TreatmentSession(db.Model):
    """One visit at which a prescriber injects; signed, then locked."""

    __tablename__ = "treatment_sessions"
    __table_args__ = (Index("ix_treatment_sessions_patient_date", "patient_id", "session_date"),
                      Index("ix_treatment_sessions_date", "session_date"),
                      Index("ix_treatment_sessions_prescriber_date", "prescriber_id",
                            "session_date"),
                      # The late entries of a date range are found by when they were entered.
                      Index("ix_treatment_sessions_started_at", "started_at"),
                      # With the key, so that a location's sessions (the scope of its
                      # audit events) are read from the index alone.
                      Index("ix_treatment_sessions_location_date_id", "location_id",
                            "session_date", postgresql_include=["id"]))

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"), index=True)
    prescriber_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Where the session took place (D7).
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    session_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    treatment_areas: Mapped[str] = mapped_column(String(400))
    session_number: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)

    patient = relationship("Patient")
    prescription = relationship("Prescription")
    prescriber = relationship("User", foreign_keys=[prescriber_id])
    voided_by = relationship("User", foreign_keys=[voided_by_id])
    location = relationship("Location")
    injections: Mapped[list["Injection"]] = relationship(back_populates="session",
                                                         order_by="Injection.id")
    flags: Mapped[list["SessionFlag"]] = relationship(back_populates="session",
                                                      order_by="SessionFlag.id")

    @property
    def areas(self) -> list[str]:
        return [a for a in self.treatment_areas.split(";") if a]

    @property
    def given(self) -> list["Injection"]:
        """Injections that stand (not reversed)."""
        return [i for i in self.injections if i.reversal is None]

    @property
    def volume_ul(self) -> int:
        return sum(i.volume_ul for i in self.given)

    def signed_content(self) -> dict:
        """What the prescriber's "administered" signature covers: the session and its
        injections as they stood."""
        return {"id": self.id, "patient_id": self.patient_id,
                "prescription_id": self.prescription_id, "prescriber_id": self.prescriber_id,
                "session_date": self.session_date.isoformat(), "areas": self.treatment_areas,
                "session_number": self.session_number, "notes": self.notes,
                "injections": [[i.id, i.batch_id, i.volume_ul, i.site, i.points,
                                i.reversal is not None] for i in self.injections]}


class Injection(db.Model):
    """One injection from one batch; its ledger entry is written in the same transaction."""

    __tablename__ = "injections"
    # A session's injections in order, with what the reports sum and join (their batch and
    # volume), read from the index alone.
    __table_args__ = (Index("ix_injections_session_id_id", "session_id", "id",
                            postgresql_include=["batch_id", "volume_ul"]),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    volume_ul: Mapped[int] = mapped_column(Integer)
    site: Mapped[str] = mapped_column(String(60))
    points: Mapped[int] = mapped_column(Integer)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TreatmentSession] = relationship(back_populates="injections")
    batch = relationship("Batch")
    ledger_entry = relationship("LedgerEntry")
    reversal: Mapped["InjectionReversal | None"] = relationship(back_populates="injection")


class InjectionReversal(db.Model):
    """A wrongly recorded injection, cancelled by a reversal entry in the ledger."""

    __tablename__ = "injection_reversals"

    id: Mapped[int] = mapped_column(primary_key=True)
    injection_id: Mapped[int] = mapped_column(ForeignKey("injections.id"), unique=True)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    injection: Mapped[Injection] = relationship(back_populates="reversal")


def standing():
    """A condition on Injection: not reversed. NOT EXISTS, not an outer join and `id IS
    NULL`: PostgreSQL makes no anti-join of that, guessed a month of one location's
    injections at 20,000 of 10M, and hashed all 10M (3.6 s; 2 ms as an anti-join)."""
    return ~exists().where(InjectionReversal.injection_id == Injection.id)


class SessionAddendum(db.Model):
    """A later note on a signed session; the session itself stays as signed."""

    __tablename__ = "session_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by = relationship("User")


class SessionFlag(db.Model):
    """A D4 flag: recorded, not refused, and listed in the exceptions report."""

    __tablename__ = "session_flags"
    __table_args__ = (UniqueConstraint("session_id", "code", name="uq_session_flags_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TreatmentSession] = relationship(back_populates="flags")


class FollowUp(db.Model):
    """After-effects and complications seen after a session (and so linked to its batches)."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    # Indexed: the complications of a date range are found by the day they were seen.
    seen_on: Mapped[date] = mapped_column(Date, index=True)
    effects: Mapped[str] = mapped_column(String(300), default="")
    complication: Mapped[bool] = mapped_column(default=False)
    severity: Mapped[str | None] = mapped_column(String(20))
    action_taken: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Indexed: the late entries of a date range are found by when they were entered.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    session = relationship("TreatmentSession")
    recorded_by = relationship("User")


class RecallContact(db.Model):
    """An attempt to contact a patient who received a recalled batch."""

    __tablename__ = "recall_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    method: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(Text)
    contacted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient = relationship("Patient")
    contacted_by = relationship("User")
