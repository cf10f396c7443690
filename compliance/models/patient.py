"""Patients (D3): identity, GP, screening for contraindications, consent, consultations."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compliance.clock import utcnow
from compliance.consent_text import matches
from compliance.dbtypes import UTCDateTime
from compliance.drawn_signature import HEIGHT as SIGNATURE_HEIGHT
from compliance.drawn_signature import WIDTH as SIGNATURE_WIDTH
from compliance.drawn_signature import svg_path
from compliance.extensions import db

SEXES = ("female", "male", "other", "not stated")
CONSULTATION_MODES = ("face to face", "phone", "video", "email")
FACE_TO_FACE = "face to face"


class Contraindication(db.Model):
    """A hard stop named by the clinic or the SmPC; kept as data a manager can extend."""

    __tablename__ = "contraindications"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    source: Mapped[str] = mapped_column(String(40), default="clinic")
    question: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Patient(db.Model):
    """A person treated (or assessed) at the clinic."""

    __tablename__ = "patients"
    __table_args__ = (Index("ix_patients_names", "last_name", "first_name"),
                      Index("ix_patients_date_of_birth", "date_of_birth"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    gp_practice: Mapped[str | None] = mapped_column(String(200))
    gp_visit_advised: Mapped[bool] = mapped_column(Boolean, default=True)
    gp_visit_confirmed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return f"{self.full_name} ({self.reference})"


class Screening(db.Model):
    """One completed questionnaire: an answer for every contraindication then in use."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    screened_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answers: Mapped[list["ScreeningAnswer"]] = relationship(back_populates="screening",
                                                            order_by="ScreeningAnswer.id")
    recorded_by = relationship("User")


class ScreeningAnswer(db.Model):
    __tablename__ = "screening_answers"
    __table_args__ = (UniqueConstraint("screening_id", "contraindication_id",
                                       name="uq_screening_answers_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"))
    contraindication_id: Mapped[int] = mapped_column(ForeignKey("contraindications.id"))
    present: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)

    screening: Mapped[Screening] = relationship(back_populates="answers")
    contraindication: Mapped[Contraindication] = relationship(lazy="joined", innerjoin=True)


class Consent(db.Model):
    """Informed consent to a procedure, recorded by a member of staff: the statement the
    patient read (its text and SHA-256), and their drawn signature or the reason for none.
    Consents recorded before patients signed on the tablet have neither."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    consented_on: Mapped[date] = mapped_column(Date)
    procedure: Mapped[str] = mapped_column(String(200))
    areas: Mapped[str] = mapped_column(String(300))
    risks_explained: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # The strokes drawn, as compact JSON of [x, y] points (compliance.drawn_signature).
    patient_signature: Mapped[str | None] = mapped_column(Text)
    unsigned_reason: Mapped[str | None] = mapped_column(Text)
    consent_text: Mapped[str | None] = mapped_column(Text)
    consent_text_sha256: Mapped[str | None] = mapped_column(String(64))

    recorded_by = relationship("User")

    # The drawn signature's box, for the SVG that shows it.
    SIGNATURE_VIEW_BOX = f"0 0 {SIGNATURE_WIDTH} {SIGNATURE_HEIGHT}"

    @property
    def signature_path(self) -> str:
        """The drawn signature as an SVG path's `d` ("" when there is none)."""
        return svg_path(self.patient_signature)

    @property
    def text_intact(self) -> bool | None:
        """Whether the statement kept still has the hash taken when consent was given (None
        for a consent recorded without one)."""
        if self.consent_text is None or self.consent_text_sha256 is None:
            return None
        return matches(self.consent_text, self.consent_text_sha256)


class Consultation(db.Model):
    """A prescriber's assessment; only a face-to-face one can support a prescription."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    prescriber_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    held_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(20))
    place: Mapped[str] = mapped_column(String(200))
    findings: Mapped[str] = mapped_column(Text)
    suitable: Mapped[bool] = mapped_column(Boolean)
    suitability_reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    prescriber = relationship("User")

    @property
    def supports_prescription(self) -> bool:
        return self.mode == FACE_TO_FACE and self.suitable
