"""Consent and consultations (D3), recorded by prescribers."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from compliance.clock import local_today
from compliance.errors import ConsentAlreadyWithdrawn, InvalidInput, RecordLocked
from compliance.extensions import db
from compliance.models import Consent, Consultation, Patient, Prescription
from compliance.models.patient import CONSULTATION_MODES
from compliance.models.treatment import SIGNED
from compliance.services import ensure_can, reread
from compliance.services.audit import give_reason
from compliance.services.consent_signing import signing_columns
from compliance.services.unit_of_work import unit_of_work


def _not_future(day: date | None, field: str, what: str) -> None:
    if day is None or day > local_today():
        raise InvalidInput(f"The {what} cannot be in the future.", field=field)


def check_event_date(day: date | None, field: str, what: str, patient: Patient) -> None:
    """An event in the patient's record happened: not in the future, not before their birth."""
    _not_future(day, field, what)
    if day < patient.date_of_birth:
        raise InvalidInput(f"The {what} cannot be before the patient's date of birth "
                           f"({patient.date_of_birth:%d %b %Y}).", field=field)


def _required(values: dict[str, str | None], message: str) -> dict[str, str]:
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    for name, value in cleaned.items():
        if not value:
            raise InvalidInput(message, field=name)
    return cleaned


@dataclass
class ConsentDetails:
    consented_on: date
    procedure: str
    areas: str
    risks_explained: str
    # The strokes the patient drew, as the browser sent them (JSON), or the reason for none.
    signature: str | None = None
    unsigned_reason: str | None = None


@unit_of_work("record consent")
def record_consent(actor, patient_id: int, details: ConsentDetails) -> Consent:
    """Record the patient's informed consent to a procedure, with the statement they read and
    their drawn signature, or the reason they could not sign."""
    ensure_can(actor, "record_consultation")
    patient = reread(Patient, patient_id, "No such patient.")
    check_event_date(details.consented_on, "consented_on", "date of consent", patient)
    text = _required({"procedure": details.procedure, "areas": details.areas,
                      "risks_explained": details.risks_explained},
                     "Say what was consented to, where, and which risks were explained.")
    signing = signing_columns(patient, details.signature, details.unsigned_reason)
    consent = Consent(patient_id=patient.id, consented_on=details.consented_on,
                      recorded_by_id=actor.id, **text, **signing)
    db.session.add(consent)
    return consent


@unit_of_work("withdraw consent")
def withdraw_consent(actor, consent_id: int, withdrawn_on: date | None, reason: str) -> Consent:
    """The patient withdraws consent; the record stays, marked withdrawn with the reason."""
    ensure_can(actor, "record_consultation")
    consent = reread(Consent, consent_id, "No such consent.")
    if consent.withdrawn_on is not None:
        raise ConsentAlreadyWithdrawn()
    _not_future(withdrawn_on, "withdrawn_on", "date of withdrawal")
    if withdrawn_on < consent.consented_on:
        raise InvalidInput("Consent cannot be withdrawn before it was given.",
                           field="withdrawn_on")
    reason = _required({"reason": reason}, "Give the reason the patient withdrew consent.")
    give_reason(reason["reason"])
    consent.withdrawn_on, consent.withdrawn_reason = withdrawn_on, reason["reason"]
    return consent


def consents_of(patient: Patient) -> list[Consent]:
    return list(db.session.scalars(select(Consent).where(Consent.patient_id == patient.id)
                                   .order_by(Consent.consented_on.desc(), Consent.id.desc())))


@dataclass
class ConsultationDetails:
    held_on: date
    mode: str
    place: str
    findings: str
    suitable: bool
    suitability_reason: str


def _check_consultation(details: ConsultationDetails, patient: Patient) -> dict:
    check_event_date(details.held_on, "held_on", "consultation date", patient)
    if details.mode not in CONSULTATION_MODES:
        raise InvalidInput("Choose how the consultation was held.", field="mode")
    if details.suitable is None:
        raise InvalidInput("Say whether the patient is suitable.", field="suitable")
    text = _required({"place": details.place, "findings": details.findings,
                      "suitability_reason": details.suitability_reason},
                     "Record the place, the findings and why the patient is or is not suitable.")
    return dict(held_on=details.held_on, mode=details.mode, suitable=details.suitable, **text)


@unit_of_work("record a consultation")
def record_consultation(actor, patient_id: int, details: ConsultationDetails) -> Consultation:
    """Record a prescriber's assessment; a remote one is kept but never supports a
    prescription."""
    ensure_can(actor, "record_consultation")
    patient = reread(Patient, patient_id, "No such patient.")
    consultation = Consultation(patient_id=patient.id, prescriber_id=actor.id,
                                **_check_consultation(details, patient))
    db.session.add(consultation)
    return consultation


@unit_of_work("correct a consultation")
def correct_consultation(actor, consultation_id: int, details: ConsultationDetails,
                         reason: str) -> Consultation:
    """Correct a consultation record, saying why; not once a signed prescription rests on it."""
    consultation = reread(Consultation, consultation_id, "No such consultation.")
    ensure_can(actor, "correct_consultation", consultation)
    relied_on = db.session.scalar(select(Prescription.id).where(
        Prescription.consultation_id == consultation.id, Prescription.status == SIGNED))
    if relied_on is not None:
        raise RecordLocked(f"A signed prescription (RX-{relied_on:06d}) rests on this "
                           "consultation: record a new consultation instead.")
    reason = _required({"reason": reason}, "Give a reason for the correction.")["reason"]
    values = _check_consultation(details, db.session.get(Patient, consultation.patient_id))
    give_reason(reason)
    for name, value in values.items():
        setattr(consultation, name, value)
    return consultation


def consultations_of(patient: Patient) -> list[Consultation]:
    return list(db.session.scalars(
        select(Consultation).where(Consultation.patient_id == patient.id)
        .order_by(Consultation.held_on.desc(), Consultation.id.desc())))
