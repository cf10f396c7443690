"""Reading treatment: prescriptions in force, a prescriber's day, a session's picture."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from compliance.extensions import db
from compliance.models import (
    FollowUp,
    Patient,
    Prescription,
    SessionAddendum,
    TreatmentSession,
)
from compliance.models.treatment import OPEN, SIGNED
from compliance.rules.course import is_due
from compliance.rules.injection import session_limit_ul
from compliance.rules.limits import FOLLOW_UP_WITHIN_DAYS
from compliance.services import rule_facts, stock_queries
from compliance.services.treatment import open_remainder_ul


def prescriptions_in_force(patient_id: int, on: date) -> list[Prescription]:
    """Signed, uncancelled prescriptions of a patient valid on `on`."""
    return list(db.session.scalars(
        select(Prescription).where(Prescription.patient_id == patient_id,
                                   Prescription.status == SIGNED,
                                   Prescription.valid_from <= on, Prescription.valid_until >= on)
        .order_by(Prescription.valid_from.desc())))


def sessions_on(prescriber_id: int, day: date) -> list[TreatmentSession]:
    return list(db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.prescriber_id == prescriber_id,
                                       TreatmentSession.session_date == day)
        .options(selectinload(TreatmentSession.patient))
        .order_by(TreatmentSession.started_at)))


def open_sessions(prescriber_id: int) -> list[TreatmentSession]:
    return list(db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.prescriber_id == prescriber_id,
                                       TreatmentSession.status == OPEN)
        .options(selectinload(TreatmentSession.patient))
        .order_by(TreatmentSession.session_date)))


@dataclass(frozen=True)
class DuePatient:
    patient: Patient
    prescription: Prescription
    last_session: date | None


def due_patients(on: date) -> list[DuePatient]:
    """Patients with a prescription in force whose last session (not voided) is far enough
    back (rule 5)."""
    last = (select(TreatmentSession.patient_id,
                   func.max(TreatmentSession.session_date).label("last"))
            .where(rule_facts.COUNTED).group_by(TreatmentSession.patient_id).subquery())
    rows = db.session.execute(
        select(Prescription, last.c.last).join(Prescription.patient)
        .outerjoin(last, last.c.patient_id == Prescription.patient_id)
        .where(Prescription.status == SIGNED, Prescription.valid_from <= on,
               Prescription.valid_until >= on)
        .options(selectinload(Prescription.patient))
        .order_by(Patient.last_name, Patient.first_name))
    due = []
    for prescription, last_date in rows:
        if is_due(last_date, on):
            due.append(DuePatient(prescription.patient, prescription, last_date))
    return due


def follow_ups_due(on: date) -> list[TreatmentSession]:
    """Signed sessions of the last FOLLOW_UP_WITHIN_DAYS days with no follow-up recorded yet,
    oldest first (the first to run out of time)."""
    followed = select(FollowUp.session_id)
    return list(db.session.scalars(
        select(TreatmentSession).where(
            TreatmentSession.status == SIGNED,
            TreatmentSession.session_date >= on - timedelta(days=FOLLOW_UP_WITHIN_DAYS),
            TreatmentSession.session_date <= on, TreatmentSession.id.not_in(followed))
        .options(selectinload(TreatmentSession.prescriber))
        .order_by(TreatmentSession.session_date, TreatmentSession.id)))


@dataclass
class SessionPicture:
    """Everything the session screen shows."""

    session: TreatmentSession
    limit_ul: int
    batches: list
    addenda: list[SessionAddendum]
    follow_ups: list[FollowUp]

    @property
    def remaining_ul(self) -> int:
        return max(self.limit_ul - self.session.volume_ul, 0)


def _chair_batches(session: TreatmentSession) -> list:
    """Containers this session has opened and not used up, then the batches to open next."""
    opened = {i.batch_id: i.batch for i in session.given
              if open_remainder_ul(session, i.batch) > 0}
    offered = stock_queries.usable_batches(session.prescription.product_id,
                                           session.session_date,
                                           stock_queries.OFFERED_AT_THE_CHAIR)
    return [*opened.values(), *(b for b in offered if b.id not in opened)]


def session_picture(session: TreatmentSession) -> SessionPicture:
    prescription = session.prescription
    return SessionPicture(
        session=session,
        limit_ul=session_limit_ul(rule_facts.volume_facts(prescription, prescription.product)),
        batches=_chair_batches(session),
        addenda=list(db.session.scalars(select(SessionAddendum).where(
            SessionAddendum.session_id == session.id).order_by(SessionAddendum.id))),
        follow_ups=list(db.session.scalars(select(FollowUp).where(
            FollowUp.session_id == session.id).order_by(FollowUp.seen_on))))

