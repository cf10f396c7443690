"""The rows of the session audit report (report 1): a session, and each batch it drew on."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass
class BatchUse:
    batch_number: str
    expires_on: date
    volume_ul: int = 0
    mg: Decimal = Decimal(0)
    reversed_ul: int = 0


@dataclass
class SessionRow:
    id: int
    session_date: date
    started_at: datetime
    signed_at: datetime | None
    patient_name: str
    patient_reference: str
    prescriber_name: str
    prescriber_registration: str
    doctor_name: str
    doctor_registration: str
    prescription_reference: str
    prescription_signed_at: datetime | None
    # Its place in the course, as the session's own page says it: "session 2 of 6".
    session_number: int = 0
    sessions_authorised: int = 0
    voided_at: datetime | None = None
    void_reason: str | None = None
    # The prescribed product's sclerosant, which every injection of the session holds (rule 7).
    active_ingredient: str = ""
    dose_label: str = "mg"
    location: str = ""  # where the session took place (D7)
    batches: list[BatchUse] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)

    @property
    def volume_ul(self) -> int:
        return sum(use.volume_ul for use in self.batches)

    @property
    def mg(self) -> Decimal:
        return sum((use.mg for use in self.batches), Decimal(0))

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    @property
    def voided(self) -> bool:
        """Voided before any injection: listed, marked, and counted for nothing (D4.5)."""
        return self.voided_at is not None
