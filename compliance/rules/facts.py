"""The plain facts the rules decide on: small frozen values a query module builds."""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ConsultationFacts:
    """The consultation a prescription rests on."""

    supports_prescription: bool  # face to face, and found the patient suitable
    held_on: date


@dataclass(frozen=True)
class PrescriptionFacts:
    """A prescription as the rules see it."""

    reference: str
    patient_id: int
    product_id: int
    product_name: str
    signed_by_doctor: bool  # signed, not cancelled, and a doctor's signature still intact
    valid_from: date
    valid_until: date
    sessions_authorised: int
    max_volume_per_session_ul: int
    consultation: ConsultationFacts | None


@dataclass(frozen=True)
class ScreeningFacts:
    """A patient's current screening: what it found, and what it leaves unasked."""

    present: tuple[str, ...]  # contraindications answered yes
    unanswered: tuple[str, ...]  # contraindications in use that it does not answer


@dataclass(frozen=True)
class ConsentFacts:
    consented_on: date
    withdrawn_on: date | None


@dataclass(frozen=True)
class Grounds:
    """Rules 2 and 3: what entitles a patient to treatment under a prescription on a day."""

    patient_id: int
    on: date
    prescription: PrescriptionFacts | None
    screening: ScreeningFacts | None  # the current screening on `on`
    consents: tuple[ConsentFacts, ...]


@dataclass(frozen=True)
class CourseFacts:
    """Rules 2 to 5 for a new session: its grounds, the course so far, and the patient's
    sessions nearest to it on either side (a back-dated session has one after it)."""

    grounds: Grounds
    sessions_recorded: int  # sessions already in the course
    previous_session_on: date | None  # the patient's latest session on or before `on`
    next_session_on: date | None  # the patient's earliest session after `on`


@dataclass(frozen=True)
class SessionStateFacts:
    """A treatment session as voiding sees it."""

    signed: bool
    voided: bool
    injections_recorded: int  # reversed ones too: a reversal keeps the injection on record


@dataclass(frozen=True)
class OtherCourseFacts:
    """Another signed prescription of the patient for the product, outside the course being
    prescribed, and the sessions its own course has had."""

    prescription: PrescriptionFacts
    sessions_recorded: int


@dataclass(frozen=True)
class BatchFacts:
    """A batch as rule 7 sees it; `label` is how messages name it."""

    label: str
    product_id: int
    received_on: date
    expires_on: date
    recalled: bool
    quarantined: bool


@dataclass(frozen=True)
class VolumeFacts:
    """Rule 6: the two maxima per session and what the session has used so far."""

    prescribed_max_ul: int
    product_max_ul: int
    used_ul: int


@dataclass(frozen=True)
class PatientFacts:
    gp_visit_advised: bool
    gp_visit_confirmed_on: date | None


@dataclass(frozen=True)
class EntryTiming:
    """A record with an event date, as the late-entry flag sees it: how the flag names it, the
    event's date and the instant that day ends in the clinic (UTC), and when it was recorded
    (UTC, and the clinic date)."""

    record: str
    event_on: date
    event_day_ends_at: datetime
    recorded_at: datetime
    recorded_on: date


@dataclass(frozen=True)
class StocktakeLineFacts:
    expected_containers: int
    counted_containers: int
    reason: str | None


@dataclass(frozen=True)
class FollowUpFacts:
    complication: bool
    severity: str | None
    effects: str | None
    action_taken: str | None
