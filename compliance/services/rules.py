"""The compliance rules of D4, each decided here and only here.

Every check raises a named ComplianceRefusal (or a stock refusal for rule 7) with a message a
prescriber can act on. The treatment service calls them at the moment of recording.
Rule 1 (prescribers only) is a capability: `ensure_can` refuses it with NotAPrescriber.
"""

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from compliance.errors import (
    AreaNotOnLegs,
    BatchUnusable,
    ContraindicationPresent,
    NoConsent,
    NoConsultation,
    NoValidPrescription,
    SessionNotAuthorised,
    TooSoon,
    VolumeAboveMaximum,
)
from compliance.extensions import db
from compliance.models import (
    Consent,
    Contraindication,
    Prescription,
    Screening,
    TreatmentSession,
)
from compliance.models.stock import Batch, Product
from compliance.models.treatment import LEG_REGIONS, MAX_SESSIONS_PER_COURSE, SIGNED
from compliance.permissions import holds
from compliance.services.screening import present_in
from compliance.services.signatures import signatures_of
from compliance.services.stock import ensure_drawable

MIN_DAYS_BETWEEN_SESSIONS = 28
FLAG_GAP_DAYS = 42


def _doctor_signed(prescription: Prescription) -> bool:
    return any(status.intact and status.signature.meaning == "prescribed"
               and holds(status.signature.signer, "sign_prescription")
               for status in signatures_of(prescription))


def valid_prescription(prescription: Prescription | None, patient_id: int, product_id: int,
                       on: date) -> Prescription:
    """Rule 2: a prescription for this patient and product, signed by a doctor, valid on `on`."""
    if (prescription is None or prescription.patient_id != patient_id
            or prescription.product_id != product_id):
        raise NoValidPrescription(field="prescription_id")
    if prescription.status != SIGNED or not _doctor_signed(prescription):
        raise NoValidPrescription(f"Prescription {prescription.reference} is not signed by a "
                                  "doctor (or was cancelled).", field="prescription_id")
    if not prescription.valid_from <= on <= prescription.valid_until:
        raise NoValidPrescription(
            f"Prescription {prescription.reference} is valid from "
            f"{prescription.valid_from:%d %b %Y} to {prescription.valid_until:%d %b %Y}, "
            f"not on {on:%d %b %Y}.", field="prescription_id")
    return prescription


def _current_screening(patient_id: int, on: date) -> Screening | None:
    return db.session.scalars(
        select(Screening).where(Screening.patient_id == patient_id, Screening.screened_on <= on)
        .order_by(Screening.screened_on.desc(), Screening.id.desc()).limit(1)).first()


def check_contraindications(patient_id: int, on: date) -> None:
    """Rule 3a: a screening answering every contraindication in use, none of them present."""
    screening = _current_screening(patient_id, on)
    if screening is None:
        raise ContraindicationPresent("No screening for contraindications is on record.")
    present = present_in(screening)
    if present:
        raise ContraindicationPresent(f"Contraindication present: {', '.join(present)}.")
    answered = {a.contraindication_id for a in screening.answers}
    missing = db.session.scalars(select(Contraindication.name).where(
        Contraindication.active.is_(True), Contraindication.id.not_in(answered))).all()
    if missing:
        raise ContraindicationPresent("The screening does not answer: "
                                      f"{', '.join(missing)}. Screen the patient again.")


def check_consultation(prescription: Prescription, on: date) -> None:
    """Rule 3b: the prescription rests on a face-to-face consultation finding them suitable."""
    consultation = prescription.consultation
    if (consultation is None or not consultation.supports_prescription
            or consultation.held_on > on):
        raise NoConsultation()


def check_consent(patient_id: int, on: date) -> None:
    """Rule 3c: consent given on or before `on` and not withdrawn by then."""
    consent = db.session.scalar(select(Consent.id).where(
        Consent.patient_id == patient_id, Consent.consented_on <= on,
        (Consent.withdrawn_on.is_(None)) | (Consent.withdrawn_on > on)).limit(1))
    if consent is None:
        raise NoConsent()


def next_session_number(prescription: Prescription) -> int:
    count = db.session.scalar(select(func.count()).select_from(TreatmentSession)
                              .where(TreatmentSession.prescription_id == prescription.id))
    return count + 1


def check_session_number(prescription: Prescription, number: int) -> None:
    """Rule 4: a course is at most the sessions its prescription authorises (never over 6)."""
    allowed = min(prescription.sessions_authorised, MAX_SESSIONS_PER_COURSE)
    if number > allowed:
        raise SessionNotAuthorised(f"Prescription {prescription.reference} authorises {allowed} "
                                   f"sessions; this would be session {number}.")


def previous_session(patient_id: int, on: date,
                     exclude_id: int | None = None) -> TreatmentSession | None:
    query = (select(TreatmentSession)
             .where(TreatmentSession.patient_id == patient_id,
                    TreatmentSession.session_date <= on)
             .order_by(TreatmentSession.session_date.desc(), TreatmentSession.id.desc()))
    if exclude_id is not None:
        query = query.where(TreatmentSession.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def check_interval(patient_id: int, on: date, exclude_id: int | None = None) -> int | None:
    """Rule 5: at least 28 days since the patient's previous session, under any prescription.
    Returns the gap in days (None for a first session), for flagging long gaps."""
    previous = previous_session(patient_id, on, exclude_id)
    if previous is None:
        return None
    gap = (on - previous.session_date).days
    if gap < MIN_DAYS_BETWEEN_SESSIONS:
        raise TooSoon(f"The previous session was on {previous.session_date:%d %b %Y}, {gap} days "
                      f"before; sessions must be at least {MIN_DAYS_BETWEEN_SESSIONS} days apart.",
                      field="session_date")
    return gap


def session_limit_ul(prescription: Prescription, product: Product) -> int:
    return min(prescription.max_volume_per_session_ul, product.max_volume_per_session_ul)


def check_volume(prescription: Prescription, product: Product, used_ul: int,
                 adding_ul: int) -> None:
    """Rule 6: the session's total stays within the prescription's and product's maximum."""
    limit = session_limit_ul(prescription, product)
    if used_ul + adding_ul > limit:
        raise VolumeAboveMaximum(
            f"This would bring the session to {(used_ul + adding_ul) / 1000:g} ml; the maximum "
            f"per session is {limit / 1000:g} ml ({(limit - used_ul) / 1000:g} ml left).",
            field="volume_ml")


def check_batch(batch: Batch, prescription: Prescription, on: date) -> None:
    """Rule 7 (with rule 2's product): the prescribed product, not expired on the session date,
    not quarantined or recalled. The ledger refuses too little stock when drawing."""
    if batch.product_id != prescription.product_id:
        raise NoValidPrescription(f"{batch} is not the prescribed product "
                                  f"({prescription.product.name}).", field="batch_id")
    if batch.received_on > on:
        raise BatchUnusable(f"{batch} was received on {batch.received_on:%d %b %Y}, after the "
                            "session date.", field="batch_id")
    ensure_drawable(batch, on)


def check_areas(areas: list[str]) -> None:
    """Rule 8: microsclerotherapy here treats the legs only."""
    if not areas:
        raise AreaNotOnLegs("Choose at least one treatment area on the legs.",
                            field="treatment_areas")
    outside = [area for area in areas if area not in LEG_REGIONS]
    if outside:
        raise AreaNotOnLegs(f"Not on the legs: {', '.join(outside)}. Thread veins elsewhere "
                            "(such as the face) are not treated with this procedure.",
                            field="treatment_areas")


def near_expiry(batch: Batch, on: date) -> bool:
    return (batch.expires_on - on).days <= current_app.config["NEAR_EXPIRY_DAYS"]


def is_long_gap(gap_days: int | None) -> bool:
    return gap_days is not None and gap_days > FLAG_GAP_DAYS
