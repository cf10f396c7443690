"""A patient's record read as one timeline: screenings, consents, consultations,
prescriptions (with their signature status) and treatment sessions."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from compliance.clock import to_local
from compliance.extensions import db
from compliance.models import Patient, TreatmentSession
from compliance.models.patient import FACE_TO_FACE
from compliance.models.treatment import SIGNED, VOIDED
from compliance.scope import narrowed
from compliance.services.clinical import consents_of, consultations_of
from compliance.services.prescriptions import prescriptions_of
from compliance.services.screening import present_in, screenings_of
from compliance.services.signatures import signatures_of


@dataclass(frozen=True)
class TimelineItem:
    on: date
    at: datetime  # when it was recorded (UTC): the order of the items of one day
    kind: str
    title: str
    detail: str
    tag: str = ""
    tone: str = "ok"  # ok, warn or bad: how the tag is shown
    endpoint: str | None = None  # where the item is shown in full, when it has a page
    args: dict | None = None

    @property
    def time_shown(self) -> datetime | None:
        """The local time it was recorded, shown only when that was on the item's own day (a
        back-dated record's time of entry would read as the time of the event)."""
        local = to_local(self.at)
        return local if local.date() == self.on else None


def _screening_items(patient: Patient) -> list[TimelineItem]:
    items = []
    for n, screening in enumerate(screenings_of(patient)):
        present = present_in(screening)
        items.append(TimelineItem(
            screening.screened_on, screening.recorded_at, "Screening",
            "Screening for contraindications",
            f"Recorded by {screening.recorded_by.full_name}. "
            + (f"Present: {', '.join(present)}." if present else "None present."),
            ("Current" if n == 0 else "Superseded") + (", contraindication" if present else ""),
            "bad" if present and n == 0 else ("ok" if n == 0 else "warn"),
            "patients.screening_show", {"screening_id": screening.id}))
    return items


def _patients_part(consent) -> str:
    """Whether the patient signed the consent themselves, or why not."""
    if consent.patient_signature:
        return " Signed by the patient."
    if consent.unsigned_reason:
        return f" Not signed by the patient: {consent.unsigned_reason.rstrip('.')}."
    return ""


def _consent_items(patient: Patient) -> list[TimelineItem]:
    return [TimelineItem(
        consent.consented_on, consent.recorded_at, "Consent", consent.procedure,
        f"Areas: {consent.areas}. Recorded by {consent.recorded_by.full_name}."
        + _patients_part(consent)
        + (f" Withdrawn {consent.withdrawn_on:%d %b %Y}: {consent.withdrawn_reason}"
           if consent.withdrawn_on else ""),
        "Withdrawn" if consent.withdrawn_on else "Given",
        "bad" if consent.withdrawn_on else "ok") for consent in consents_of(patient)]


def _consultation_items(patient: Patient) -> list[TimelineItem]:
    return [TimelineItem(
        c.held_on, c.recorded_at, "Consultation", f"Consultation ({c.mode})",
        f"{c.prescriber.full_name} at {c.place}. "
        f"{'Suitable' if c.suitable else 'Not suitable'}: {c.suitability_reason}",
        "Supports a prescription" if c.supports_prescription
        else ("Remote: cannot support a prescription" if c.mode != FACE_TO_FACE
              else "Not suitable"),
        "ok" if c.supports_prescription else "warn",
        "patients.consultation_show", {"consultation_id": c.id})
        for c in consultations_of(patient)]


def signature_state(prescription) -> tuple[str, str]:
    """The prescription's status as a label and a tone."""
    if prescription.status == "signed":
        intact = all(s.intact for s in signatures_of(prescription))
        return ("Signed", "ok") if intact else ("Signed, changed after signing", "bad")
    if prescription.status == "cancelled":
        return "Cancelled", "bad"
    return "Draft, not signed", "warn"


def _prescription_items(patient: Patient) -> list[TimelineItem]:
    items = []
    for rx in prescriptions_of(patient):
        tag, tone = signature_state(rx)
        at = rx.signed_at or rx.created_at
        items.append(TimelineItem(
            to_local(at).date(), at, "Prescription", f"{rx.reference}: {rx.product.name}",
            f"By {rx.prescriber.full_name}; {rx.sessions_authorised} sessions, valid "
            f"{rx.valid_from:%d %b %Y} to {rx.valid_until:%d %b %Y}.", tag, tone,
            "patients.prescription_show", {"prescription_id": rx.id}))
    return items


_SESSION_TONES = {SIGNED: "ok", VOIDED: "bad"}


def _session_items(patient: Patient, location_ids) -> list[TimelineItem]:
    # The record is group-wide; its sessions are listed only where the reader may see them.
    sessions = db.session.scalars(narrowed(select(TreatmentSession)
                                           .where(TreatmentSession.patient_id == patient.id),
                                           TreatmentSession, location_ids))
    return [TimelineItem(
        s.session_date, s.started_at, "Treatment session", f"Session {s.session_number}: "
        f"{', '.join(s.areas)}", f"By {s.prescriber.full_name} at {s.location.name}, under "
        f"{s.prescription.reference}."
        + (f" Voided: {s.void_reason}" if s.status == VOIDED else ""), s.status.capitalize(),
        _SESSION_TONES.get(s.status, "warn"), "treatment.show_session",
        {"session_id": s.id}) for s in sessions]


def timeline(patient: Patient, location_ids: frozenset[int] | None = None
             ) -> list[TimelineItem]:
    """Everything on the patient's record, newest first: by day, then by the time each was
    recorded (the kind of record plays no part); sessions only those at `location_ids`
    (None: every location)."""
    items = [*_screening_items(patient), *_consent_items(patient),
             *_consultation_items(patient), *_prescription_items(patient),
             *_session_items(patient, location_ids)]
    return sorted(items, key=lambda item: (item.on, item.at), reverse=True)
