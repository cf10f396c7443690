"""Prescriptions (D3): written by a doctor as a draft on a face-to-face consultation, then
signed electronically and locked; cancelled or replaced, never edited, once signed."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from compliance.clock import local_today, utcnow
from compliance.errors import (
    InvalidInput,
    InvalidValidity,
    NoConsultation,
    NotSignable,
    ProductNotInUse,
    RecordLocked,
    VolumeAboveMaximum,
)
from compliance.extensions import db
from compliance.models import Consultation, Patient, Prescription, Product
from compliance.models.patient import FACE_TO_FACE
from compliance.models.treatment import CANCELLED, DRAFT, SIGNED
from compliance.rules.course import check_no_course_in_progress, check_sessions_authorised
from compliance.rules.grounds import check_screened_clear
from compliance.rules.limits import MAX_PRESCRIPTION_VALIDITY_DAYS
from compliance.services import ensure_can, reread, rule_facts
from compliance.services.audit import give_reason
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


def _check_amounts(details: PrescriptionDetails, product: Product) -> None:
    if details.max_volume_per_session_ul is None or details.max_volume_per_session_ul <= 0:
        raise InvalidInput("Enter a maximum volume per session above zero.", field=VOLUME_FIELD)
    if details.max_volume_per_session_ul > product.max_volume_per_session_ul:
        limit = f"{product.max_volume_per_session_ul / 1000:g}"
        raise VolumeAboveMaximum(f"At most {limit} ml per session of {product.name} may be "
                                 "prescribed.", field=VOLUME_FIELD)
    check_sessions_authorised(details.sessions_authorised)


def _check_validity(details: PrescriptionDetails, consultation: Consultation) -> None:
    if details.valid_from is None or details.valid_until is None:
        raise InvalidValidity("Enter the dates the prescription is valid from and until.",
                              field="valid_from" if details.valid_from is None else "valid_until")
    if details.valid_until < details.valid_from:
        raise InvalidValidity("The prescription must be valid until a date on or after the "
                              "date it is valid from.", field="valid_until")
    if (details.valid_until - details.valid_from).days > MAX_PRESCRIPTION_VALIDITY_DAYS:
        latest = details.valid_from + timedelta(days=MAX_PRESCRIPTION_VALIDITY_DAYS)
        raise InvalidValidity(f"A prescription is valid for at most "
                              f"{MAX_PRESCRIPTION_VALIDITY_DAYS} days: choose a date until "
                              f"{latest:%d %b %Y} at the latest.", field="valid_until")
    if details.valid_from < consultation.held_on:
        raise InvalidValidity("A prescription cannot be valid before the consultation it rests "
                              f"on ({consultation.held_on:%d %b %Y}).", field="valid_from")
    if details.valid_until < local_today():
        raise InvalidValidity("This prescription would already have expired.",
                              field="valid_until")


def check(patient: Patient, details: PrescriptionDetails, course_of: int | None = None) -> None:
    """Every rule a prescription must meet when written and again when signed. `course_of`
    is a prescription of the course it belongs to: itself once written, or the one it
    replaces (None for a new course)."""
    product = _product(details.product_id)
    consultation = _consultation(patient, details.consultation_id)
    check_screened_clear(rule_facts.screening_facts(patient.id, local_today()))
    _check_amounts(details, product)
    _check_validity(details, consultation)
    check_no_course_in_progress(
        rule_facts.other_courses(patient.id, product.id,
                                 rule_facts.course_prescription_ids(course_of)),
        local_today())
    details.directions = (details.directions or "").strip() or None


def ensure_draft_of(actor, prescription: Prescription) -> None:
    """Refuse unless `prescription` is a draft written by `actor`: signed ones are locked."""
    if prescription.status == SIGNED:
        raise RecordLocked(f"{prescription.reference} is signed and locked: cancel it or "
                           "replace it instead.")
    if prescription.status != DRAFT:
        raise RecordLocked(f"{prescription.reference} is cancelled and cannot be changed.")
    ensure_can(actor, "sign_prescription", prescription)


def _write(actor, patient: Patient, details: PrescriptionDetails,
           replaces_id: int | None = None) -> Prescription:
    check(patient, details, course_of=replaces_id)
    prescription = Prescription(patient_id=patient.id, prescriber_id=actor.id, status=DRAFT,
                                replaces_id=replaces_id, **vars(details))
    db.session.add(prescription)
    return prescription


@unit_of_work("write a prescription")
def write_prescription(actor, patient_id: int, details: PrescriptionDetails) -> Prescription:
    """A draft prescription by `actor`, a doctor, checked against every rule."""
    ensure_can(actor, "write_prescription")
    return _write(actor, reread(Patient, patient_id, "No such patient."), details)


def _locked(prescription_id: int) -> Prescription:
    """The prescription as it is now, locked: its state changes in this transaction."""
    return reread(Prescription, prescription_id, "No such prescription.", lock=True)


@unit_of_work("change a draft prescription")
def update_draft(actor, prescription_id: int, details: PrescriptionDetails) -> Prescription:
    """Change a draft; a signed prescription is locked."""
    ensure_can(actor, "sign_prescription")
    prescription = _locked(prescription_id)
    ensure_draft_of(actor, prescription)
    check(prescription.patient, details, course_of=prescription.id)
    for name, value in vars(details).items():
        setattr(prescription, name, value)
    return prescription


def _cancel(prescription: Prescription, reason: str) -> None:
    give_reason(reason)
    prescription.status, prescription.cancelled_at = CANCELLED, utcnow()
    prescription.cancelled_reason = reason


@unit_of_work("sign a prescription")
def sign_prescription(actor, prescription_id: int, password: str,
                      code: str | None = None) -> Prescription:
    """The doctor who wrote the draft signs it with their password ("prescribed"); a
    replacement, once signed, cancels the prescription it replaces."""
    ensure_can(actor, "sign_prescription")
    prescription = _locked(prescription_id)
    ensure_draft_of(actor, prescription)
    # The patient is locked so that two new courses for them cannot be signed at once.
    patient = reread(Patient, prescription.patient_id, "No such patient.", lock=True)
    check(patient, PrescriptionDetails.of(prescription), course_of=prescription.id)
    sign(prescription, actor, password, "prescribed", code)
    prescription.status, prescription.signed_at = SIGNED, utcnow()
    if prescription.replaces_id is not None:
        replaced = _locked(prescription.replaces_id)
        if replaced.status == SIGNED:
            _cancel(replaced, f"Replaced by {prescription.reference}")
    return prescription


@unit_of_work("cancel a prescription")
def cancel_prescription(actor, prescription_id: int, reason: str) -> Prescription:
    """Cancel a draft (its own doctor's) or a signed prescription (any doctor's), saying why;
    it stays on record."""
    ensure_can(actor, "write_prescription")
    prescription = _locked(prescription_id)
    if prescription.status == CANCELLED:
        raise RecordLocked(f"{prescription.reference} is already cancelled.")
    if prescription.status == DRAFT:
        ensure_can(actor, "sign_prescription", prescription)  # D1: a draft is its writer's
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for cancelling.", field="reason")
    _cancel(prescription, reason)
    return prescription


def pending_replacement(prescription: Prescription) -> Prescription | None:
    return db.session.scalar(select(Prescription).where(
        Prescription.replaces_id == prescription.id, Prescription.status == DRAFT))


def replaced_prescription(prescription: Prescription) -> Prescription | None:
    """The prescription `prescription` replaces, if it replaces one."""
    if prescription.replaces_id is None:
        return None
    return db.session.get(Prescription, prescription.replaces_id)


@unit_of_work("replace a prescription")
def replace_prescription(actor, prescription_id: int) -> Prescription:
    """A new draft copied from a signed prescription; the old one stays valid until the new
    one is signed. The old one is locked so that two replacements cannot both start."""
    ensure_can(actor, "write_prescription")
    old = _locked(prescription_id)
    if old.status != SIGNED:
        raise NotSignable("Only a signed prescription can be replaced; a draft can be changed.")
    pending = pending_replacement(old)
    if pending is not None:
        raise NotSignable(f"{pending.reference} is already a draft replacing "
                          f"{old.reference}: continue with it.")
    return _write(actor, old.patient, PrescriptionDetails.of(old), replaces_id=old.id)


def prescriptions_of(patient: Patient) -> list[Prescription]:
    return list(db.session.scalars(select(Prescription)
                                   .where(Prescription.patient_id == patient.id)
                                   .order_by(Prescription.id.desc())))

