"""The facts the compliance rules decide on, read from the database."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select

from compliance.clock import end_of_local_day, to_local
from compliance.extensions import db
from compliance.models import Patient, Prescription, TreatmentSession
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
from compliance.services import fact_rows
from compliance.services.signatures import record_fingerprint
from compliance.settings import setting


def near_expiry_days() -> int:
    """The near-expiry window in days: the NEAR_EXPIRY_DAYS setting."""
    return int(setting("NEAR_EXPIRY_DAYS"))


class _Signer(NamedTuple):
    """A signer as `has_profession_for` asks about them: only the profession is read."""

    profession: str | None


def _doctor_signed(prescription: Prescription, signatures: list) -> bool:
    """Whether one of the prescription's "prescribed" signatures (fact rows) is a doctor's
    and still covers the prescription as it is now."""
    current = record_fingerprint(prescription)
    return any(row.detail == current
               and has_profession_for(_Signer(row.name), "sign_prescription")
               for row in signatures)


def _consultation(prescription: Prescription) -> ConsultationFacts | None:
    consultation = prescription.consultation
    if consultation is None:
        return None
    return ConsultationFacts(consultation.supports_prescription, consultation.held_on)


def _prescription_facts(prescription: Prescription | None,
                        signatures: list) -> PrescriptionFacts | None:
    if prescription is None:
        return None
    return PrescriptionFacts(
        reference=prescription.reference, patient_id=prescription.patient_id,
        product_id=prescription.product_id, product_name=prescription.product.name,
        signed_by_doctor=prescription.status == SIGNED
        and _doctor_signed(prescription, signatures),
        valid_from=prescription.valid_from, valid_until=prescription.valid_until,
        sessions_authorised=prescription.sessions_authorised,
        max_volume_per_session_ul=prescription.max_volume_per_session_ul,
        consultation=_consultation(prescription))


def prescription_facts(prescription: Prescription | None) -> PrescriptionFacts | None:
    """A prescription as the rules see it (None stays None: no prescription was chosen)."""
    if prescription is None:
        return None
    return _prescription_facts(prescription,
                               fact_rows.read(fact_rows.signatures(prescription))["signature"])


def _screening_facts(found: dict[str, list]) -> ScreeningFacts | None:
    if found["screening"][0].number is None:
        return None
    return ScreeningFacts(tuple(row.name for row in found["present"]),
                          tuple(row.name for row in found["unanswered"]))


def screening_facts(patient_id: int, on: date) -> ScreeningFacts | None:
    """What the patient's current screening on `on` found, and what it leaves unasked."""
    return _screening_facts(fact_rows.read(*fact_rows.screening(patient_id, on)))


def _consent_facts(found: dict[str, list]) -> tuple[ConsentFacts, ...]:
    return tuple(ConsentFacts(row.first, row.second) for row in found["consent"])


def consent_facts(patient_id: int) -> tuple[ConsentFacts, ...]:
    """Every consent of the patient, withdrawn or not."""
    return _consent_facts(fact_rows.read(fact_rows.consents(patient_id)))


def _grounds_rows(patient_id: int, prescription: Prescription | None, on: date) -> list:
    signed = [fact_rows.signatures(prescription)] if prescription is not None else []
    return [*fact_rows.screening(patient_id, on), fact_rows.consents(patient_id), *signed]


def _grounds(found: dict[str, list], patient_id: int, prescription: Prescription | None,
             on: date) -> Grounds:
    return Grounds(patient_id=patient_id, on=on,
                   prescription=_prescription_facts(prescription, found["signature"]),
                   screening=_screening_facts(found), consents=_consent_facts(found))


def grounds(patient_id: int, prescription: Prescription | None, on: date) -> Grounds:
    """Rules 2 and 3's facts for treating the patient under `prescription` on `on`."""
    return _grounds(fact_rows.read(*_grounds_rows(patient_id, prescription, on)), patient_id,
                    prescription, on)


@dataclass(frozen=True)
class SessionUse:
    """What a session's injections that stand have used: in all (rule 6), and of one batch,
    the containers they opened and the volume they drew."""

    used_ul: int
    opened_containers: int
    drawn_ul: int


def recording(session: TreatmentSession, batch_id: int) -> tuple[Grounds, SessionUse]:
    """Rules 2, 3 and 6's facts as an injection from batch `batch_id` is recorded in the
    session (read after the session is locked, so no other injection of it is missed)."""
    found = fact_rows.read(
        *_grounds_rows(session.patient_id, session.prescription, session.session_date),
        *fact_rows.session_use(session.id, batch_id))
    use = SessionUse(*(found[kind][0].number for kind in ("used", "opened", "drawn")))
    return _grounds(found, session.patient_id, session.prescription, session.session_date), use


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
