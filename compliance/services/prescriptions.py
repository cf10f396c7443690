"""Prescriptions (D3): written by a doctor as a draft on a face-to-face consultation, then
signed electronically and locked; cancelled or replaced, never edited, once signed."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from compliance.clock import local_today, utcnow
from compliance.errors import (
    ContraindicationPresent,
    InvalidInput,
    InvalidValidity,
    NoConsultation,
    NotScreened,
    NotSignable,
    ProductNotInUse,
    RecordLocked,
    SessionNotAuthorised,
    VolumeAboveMaximum,
)
from compliance.extensions import db
from compliance.models import Consultation, Patient, Prescription, Product
from compliance.models.patient import FACE_TO_FACE
from compliance.models.treatment import CANCELLED, DRAFT, MAX_SESSIONS_PER_COURSE, SIGNED
from compliance.services import ensure_can
from compliance.services.audit import give_reason
from compliance.services.screening import current_screening, present_in
from compliance.services.signatures import sign
from compliance.services.unit_of_work import unit_of_work

VOLUME_FIELD = "max_volume_per_session_ml"


@dataclass
class PrescriptionDetails:
    """What the doctor prescribes, as plain values (volumes in microlitres)."""

    product_id: int
    consultation_id: int
    max_volume_per_session_ul: int
    sessions_authorised: int
    valid_from: date
    valid_until: date
    directions: str | None = None

    @classmethod
    def of(cls, prescription: Prescription) -> "PrescriptionDetails":
        return cls(**{name: getattr(prescription, name) for name in cls.__dataclass_fields__})


def _product(product_id: int) -> Product:
    product = db.session.get(Product, product_id) if product_id else None
    if product is None or not product.active:
        raise ProductNotInUse(field="product_id")
    return product


def _consultation(patient: Patient, consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id) if consultation_id else None
    if consultation is None or consultation.patient_id != patient.id:
        raise NoConsultation("Choose a consultation of this patient.", field="consultation_id")
    if consultation.mode != FACE_TO_FACE:
        raise NoConsultation(f"A {consultation.mode} consultation cannot support a prescription: "
                             "the patient must be seen face to face.", field="consultation_id")
    if not consultation.suitable:
        raise NoConsultation("This consultation found the patient not suitable for treatment.",
                             field="consultation_id")
    return consultation


def _screened_clear(patient: Patient) -> None:
    screening = current_screening(patient)
    if screening is None:
        raise NotScreened()
    present = present_in(screening)
    if present:
        raise ContraindicationPresent("The current screening records a contraindication: "
                                      f"{', '.join(present)}. Treatment cannot be prescribed.")


def _check_amounts(details: PrescriptionDetails, product: Product) -> None:
    if details.max_volume_per_session_ul is None or details.max_volume_per_session_ul <= 0:
        raise InvalidInput("Enter a maximum volume per session above zero.", field=VOLUME_FIELD)
    if details.max_volume_per_session_ul > product.max_volume_per_session_ul:
        limit = f"{product.max_volume_per_session_ul / 1000:g}"
        raise VolumeAboveMaximum(f"At most {limit} ml per session of {product.name} may be "
                                 "prescribed.", field=VOLUME_FIELD)
    if not 1 <= (details.sessions_authorised or 0) <= MAX_SESSIONS_PER_COURSE:
        raise SessionNotAuthorised(f"Authorise 1 to {MAX_SESSIONS_PER_COURSE} sessions: a "
                                   "course is at most 6.", field="sessions_authorised")


def _check_validity(details: PrescriptionDetails, consultation: Consultation) -> None:
    if details.valid_from is None or details.valid_until is None:
        raise InvalidValidity("Enter the dates the prescription is valid from and until.",
                              field="valid_from" if details.valid_from is None else "valid_until")
    if details.valid_until < details.valid_from:
        raise InvalidValidity("The prescription must be valid until a date on or after the "
                              "date it is valid from.", field="valid_until")
    if details.valid_from < consultation.held_on:
        raise InvalidValidity("A prescription cannot be valid before the consultation it rests "
                              f"on ({consultation.held_on:%d %b %Y}).", field="valid_from")
    if details.valid_until < local_today():
        raise InvalidValidity("This prescription would already have expired.",
                              field="valid_until")


def check(patient: Patient, details: PrescriptionDetails) -> None:
    """Every rule a prescription must meet when written and again when signed."""
    product = _product(details.product_id)
    consultation = _consultation(patient, details.consultation_id)
    _screened_clear(patient)
    _check_amounts(details, product)
    _check_validity(details, consultation)
    details.directions = (details.directions or "").strip() or None


def ensure_draft_of(actor, prescription: Prescription) -> None:
    """Refuse unless `prescription` is a draft written by `actor`: signed ones are locked."""
    if prescription.status == SIGNED:
        raise RecordLocked(f"{prescription.reference} is signed and locked: cancel it or "
                           "replace it instead.")
    if prescription.status != DRAFT:
        raise RecordLocked(f"{prescription.reference} is cancelled and cannot be changed.")
    ensure_can(actor, "sign_prescription", prescription)


@unit_of_work("write a prescription")
def write_prescription(actor, patient: Patient, details: PrescriptionDetails,
                       replaces: Prescription | None = None) -> Prescription:
    """A draft prescription by `actor`, a doctor, checked against every rule."""
    ensure_can(actor, "write_prescription")
    check(patient, details)
    prescription = Prescription(patient_id=patient.id, prescriber_id=actor.id, status=DRAFT,
                                replaces_id=replaces.id if replaces else None, **vars(details))
    db.session.add(prescription)
    return prescription


@unit_of_work("change a draft prescription")
def update_draft(actor, prescription: Prescription,
                 details: PrescriptionDetails) -> Prescription:
    """Change a draft; a signed prescription is locked."""
    ensure_can(actor, "sign_prescription")
    ensure_draft_of(actor, prescription)
    check(prescription.patient, details)
    for name, value in vars(details).items():
        setattr(prescription, name, value)
    return prescription


def _cancel(prescription: Prescription, reason: str) -> None:
    give_reason(reason)
    prescription.status, prescription.cancelled_at = CANCELLED, utcnow()
    prescription.cancelled_reason = reason


@unit_of_work("sign a prescription")
def sign_prescription(actor, prescription: Prescription, password: str) -> Prescription:
    """The doctor who wrote the draft signs it with their password ("prescribed"); a
    replacement, once signed, cancels the prescription it replaces."""
    ensure_can(actor, "sign_prescription")
    ensure_draft_of(actor, prescription)
    check(prescription.patient, PrescriptionDetails.of(prescription))
    sign(prescription, actor, password, "prescribed")
    prescription.status, prescription.signed_at = SIGNED, utcnow()
    replaced = db.session.get(Prescription, prescription.replaces_id or 0)
    if replaced is not None and replaced.status == SIGNED:
        _cancel(replaced, f"Replaced by {prescription.reference}")
    return prescription


@unit_of_work("cancel a prescription")
def cancel_prescription(actor, prescription: Prescription, reason: str) -> Prescription:
    """Cancel a draft or signed prescription, saying why; it stays on record."""
    ensure_can(actor, "write_prescription", prescription)
    if prescription.status == CANCELLED:
        raise RecordLocked(f"{prescription.reference} is already cancelled.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for cancelling.", field="reason")
    _cancel(prescription, reason)
    return prescription


def pending_replacement(prescription: Prescription) -> Prescription | None:
    return db.session.scalar(select(Prescription).where(
        Prescription.replaces_id == prescription.id, Prescription.status == DRAFT))


@unit_of_work("replace a prescription")
def replace_prescription(actor, old: Prescription) -> Prescription:
    """A new draft copied from a signed prescription; the old one stays valid until the new
    one is signed."""
    ensure_can(actor, "write_prescription", old)
    if old.status != SIGNED:
        raise NotSignable("Only a signed prescription can be replaced; a draft can be changed.")
    pending = pending_replacement(old)
    if pending is not None:
        raise NotSignable(f"{pending.reference} is already a draft replacing "
                          f"{old.reference}: continue with it.")
    return write_prescription(actor, old.patient, PrescriptionDetails.of(old), replaces=old)


def prescriptions_of(patient: Patient) -> list[Prescription]:
    return list(db.session.scalars(select(Prescription)
                                   .where(Prescription.patient_id == patient.id)
                                   .order_by(Prescription.id.desc())))

