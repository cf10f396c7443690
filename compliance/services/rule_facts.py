"""The facts the compliance rules decide on, read from the database."""

from datetime import date, datetime

from sqlalchemy import func, or_, select

from compliance.clock import end_of_local_day, to_local
from compliance.extensions import db
from compliance.models import Consent, Contraindication, Patient, Prescription, TreatmentSession
from compliance.models.stock import Product
from compliance.models.treatment import SIGNED, VOIDED
from compliance.permissions import has_profession_for
from compliance.rules.facts import (
    ConsentFacts,
    ConsultationFacts,
    CourseFacts,
    EntryTiming,
    Grounds,
    OtherCourseFacts,
    PatientFacts,
    PrescriptionFacts,
    ScreeningFacts,
    VolumeFacts,
)
from compliance.services.screening import current_screening_on, present_in
from compliance.services.signatures import signatures_of
from compliance.settings import setting


def near_expiry_days() -> int:
    """The near-expiry window in days: the NEAR_EXPIRY_DAYS setting."""
    return int(setting("NEAR_EXPIRY_DAYS"))


def _doctor_signed(prescription: Prescription) -> bool:
    return any(status.intact and status.signature.meaning == "prescribed"
               and has_profession_for(status.signature.signer, "sign_prescription")
               for status in signatures_of(prescription))


def _consultation(prescription: Prescription) -> ConsultationFacts | None:
    consultation = prescription.consultation
    if consultation is None:
        return None
    return ConsultationFacts(consultation.supports_prescription, consultation.held_on)


def prescription_facts(prescription: Prescription | None) -> PrescriptionFacts | None:
    """A prescription as the rules see it (None stays None: no prescription was chosen)."""
    if prescription is None:
        return None
    return PrescriptionFacts(
        reference=prescription.reference, patient_id=prescription.patient_id,
        product_id=prescription.product_id, product_name=prescription.product.name,
        signed_by_doctor=prescription.status == SIGNED and _doctor_signed(prescription),
        valid_from=prescription.valid_from, valid_until=prescription.valid_until,
        sessions_authorised=prescription.sessions_authorised,
        max_volume_per_session_ul=prescription.max_volume_per_session_ul,
        consultation=_consultation(prescription))


def screening_facts(patient_id: int, on: date) -> ScreeningFacts | None:
    """What the patient's current screening on `on` found, and what it leaves unasked."""
    screening = current_screening_on(patient_id, on)
    if screening is None:
        return None
    answered = {answer.contraindication_id for answer in screening.answers}
    unanswered = db.session.scalars(select(Contraindication.name).where(
        Contraindication.active.is_(True), Contraindication.id.not_in(answered))).all()
    return ScreeningFacts(tuple(present_in(screening)), tuple(unanswered))


def consent_facts(patient_id: int) -> tuple[ConsentFacts, ...]:
    """Every consent of the patient, withdrawn or not."""
    rows = db.session.execute(select(Consent.consented_on, Consent.withdrawn_on)
                              .where(Consent.patient_id == patient_id).order_by(Consent.id))
    return tuple(ConsentFacts(consented_on, withdrawn_on) for consented_on, withdrawn_on in rows)


def grounds(patient_id: int, prescription: Prescription | None, on: date) -> Grounds:
    """Rules 2 and 3's facts for treating the patient under `prescription` on `on`."""
    return Grounds(patient_id=patient_id, on=on, prescription=prescription_facts(prescription),
                   screening=screening_facts(patient_id, on),
                   consents=consent_facts(patient_id))


def course_prescription_ids(prescription_id: int | None) -> set[int]:
    """The prescriptions of one course (D4.4): `prescription_id`, the prescriptions it
    replaces and those that replace it, followed both ways to the ends of the chain."""
    found = {prescription_id} if prescription_id else set()
    frontier = set(found)
    while frontier:
        linked = db.session.execute(select(Prescription.id, Prescription.replaces_id).where(
            or_(Prescription.id.in_(frontier), Prescription.replaces_id.in_(frontier))))
        frontier = {pid for row in linked for pid in row if pid is not None} - found
        found |= frontier
    return found


# A voided session counts for neither the course nor the interval (D4.5).
COUNTED = TreatmentSession.status != VOIDED


def sessions_in_course(prescription_ids: set[int]) -> int:
    """Sessions recorded under any prescription of a course, voided ones left out."""
    if not prescription_ids:
        return 0
    return db.session.scalar(select(func.count()).select_from(TreatmentSession)
                             .where(TreatmentSession.prescription_id.in_(prescription_ids),
                                    COUNTED))


def _sessions_recorded(prescription: Prescription | None) -> int:
    return sessions_in_course(course_prescription_ids(prescription.id if prescription else None))


def other_courses(patient_id: int, product_id: int,
                  course_ids: set[int]) -> tuple[OtherCourseFacts, ...]:
    """The patient's signed prescriptions for the product outside the course `course_ids`
    (the one being prescribed), each with the sessions of its own course."""
    others = db.session.scalars(select(Prescription).where(
        Prescription.patient_id == patient_id, Prescription.product_id == product_id,
        Prescription.status == SIGNED, Prescription.id.not_in(course_ids))
        .order_by(Prescription.id))
    return tuple(OtherCourseFacts(prescription_facts(rx),
                                  sessions_in_course(course_prescription_ids(rx.id)))
                 for rx in others)


def _nearest_session_on(patient_id: int, on: date, *, later: bool) -> date | None:
    """The date of the patient's session nearest to `on`, voided ones left out: the latest
    on or before it, or with `later` the earliest after it (a session recorded back-dated
    has later ones)."""
    date_column = TreatmentSession.session_date
    nearest, side = ((func.min(date_column), date_column > on) if later
                     else (func.max(date_column), date_column <= on))
    return db.session.scalar(select(nearest).where(TreatmentSession.patient_id == patient_id,
                                                   side, COUNTED))


def latest_session_on(patient_id: int, on: date) -> date | None:
    """The date of the patient's latest session on or before `on`, voided ones left out."""
    return _nearest_session_on(patient_id, on, later=False)


def course(patient_id: int, prescription: Prescription | None, on: date) -> CourseFacts:
    """Rules 2 to 5's facts for a new session of the patient under `prescription` on `on`."""
    return CourseFacts(grounds(patient_id, prescription, on), _sessions_recorded(prescription),
                       latest_session_on(patient_id, on),
                       _nearest_session_on(patient_id, on, later=True))


def volume_facts(prescription: Prescription, product: Product, used_ul: int = 0) -> VolumeFacts:
    """Rule 6's facts: the two maxima per session and the volume the session has used."""
    return VolumeFacts(prescription.max_volume_per_session_ul,
                       product.max_volume_per_session_ul, used_ul)


def patient_facts(patient: Patient) -> PatientFacts:
    return PatientFacts(patient.gp_visit_advised, patient.gp_visit_confirmed_on)


def entry_timing(record: str, event_on: date, recorded_at: datetime) -> EntryTiming:
    """The late-entry flag's facts for a record of an event on `event_on` entered at
    `recorded_at` (UTC)."""
    return EntryTiming(record=record, event_on=event_on,
                       event_day_ends_at=end_of_local_day(event_on), recorded_at=recorded_at,
                       recorded_on=to_local(recorded_at).date())
