"""Reading treatment: prescriptions in force, a prescriber's day, a session's picture."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import (
    FollowUp,
    Patient,
    Prescription,
    SessionAddendum,
    TreatmentSession,
)
from compliance.models.treatment import OPEN, SIGNED
from compliance.rules.course import is_due, next_session_allowed_on, sessions_allowed
from compliance.rules.injection import session_limit_ul
from compliance.rules.limits import FOLLOW_UP_WITHIN_DAYS
from compliance.scope import narrowed
from compliance.services import rule_facts, stock_queries
from compliance.services.treatment import open_remainder_ul


def prescriptions_in_force(patient_id: int, on: date) -> list[Prescription]:
    """Signed, uncancelled prescriptions of a patient valid on `on`."""
    return list(db.session.scalars(
        select(Prescription).where(Prescription.patient_id == patient_id,
                                   Prescription.status == SIGNED,
                                   Prescription.valid_from <= on, Prescription.valid_until >= on)
        .order_by(Prescription.valid_from.desc())))


@dataclass(frozen=True)
class CourseProgress:
    """A course in force: the sessions given under its prescriptions, of those allowed."""

    prescription: Prescription
    sessions_given: int
    sessions_allowed: int

    @property
    def complete(self) -> bool:
        return self.sessions_given >= self.sessions_allowed

    @property
    def next_number(self) -> int:
        return self.sessions_given + 1


def course_progress(prescription: Prescription) -> CourseProgress:
    """How far the course `prescription` belongs to has got (a replacement continues it)."""
    given = rule_facts.sessions_in_course(rule_facts.course_prescription_ids(prescription.id))
    return CourseProgress(prescription, given, sessions_allowed(prescription.sessions_authorised))


def next_session_on(patient_id: int, today: date | None = None) -> date | None:
    """The first day the patient may have another session (rule 5); None if never treated."""
    today = today or local_today()
    return next_session_allowed_on(rule_facts.latest_session_on(patient_id, today))


def sessions_on(prescriber_id: int, day: date, location_ids: frozenset[int] | None = None
                ) -> list[TreatmentSession]:
    """A prescriber's sessions of one day, at the locations `location_ids` (None: anywhere)."""
    return list(db.session.scalars(narrowed(
        select(TreatmentSession).where(TreatmentSession.prescriber_id == prescriber_id,
                                       TreatmentSession.session_date == day)
        .options(selectinload(TreatmentSession.patient))
        .order_by(TreatmentSession.started_at), TreatmentSession, location_ids)))


def open_sessions(prescriber_id: int, location_ids: frozenset[int] | None = None
                  ) -> list[TreatmentSession]:
    return list(db.session.scalars(narrowed(
        select(TreatmentSession).where(TreatmentSession.prescriber_id == prescriber_id,
                                       TreatmentSession.status == OPEN)
        .options(selectinload(TreatmentSession.patient))
        .order_by(TreatmentSession.session_date), TreatmentSession, location_ids)))


@dataclass(frozen=True)
class DuePatient:
    """A patient with a prescription in force, the course it belongs to and their last
    session (under any prescription)."""

    patient: Patient
    prescription: Prescription
    last_session: date | None
    progress: CourseProgress

    @property
    def next_session_on(self) -> date | None:
        return next_session_allowed_on(self.last_session)


def courses_in_force(on: date) -> list[DuePatient]:
    """Patients with a prescription in force on `on` whose course has sessions left, with the
    date of their last session (not voided)."""
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
    courses = [DuePatient(rx.patient, rx, last_date, course_progress(rx))
               for rx, last_date in rows]
    return [course for course in courses if not course.progress.complete]


def due_and_waiting(on: date) -> tuple[list[DuePatient], list[DuePatient]]:
    """The courses in force split by rule 5: those due a session on `on`, and those waiting
    for their next allowed date."""
    courses = courses_in_force(on)
    return ([c for c in courses if is_due(c.last_session, on)],
            [c for c in courses if not is_due(c.last_session, on)])


def due_patients(on: date) -> list[DuePatient]:
    """Patients with a prescription in force whose last session (not voided) is far enough
    back (rule 5)."""
    return due_and_waiting(on)[0]


@dataclass(frozen=True)
class SessionCourse:
    """A session's place in its course, and when the patient may next be treated."""

    number: int
    allowed: int
    next_session_on: date | None


def session_course(session: TreatmentSession) -> SessionCourse:
    return SessionCourse(session.session_number,
                         sessions_allowed(session.prescription.sessions_authorised),
                         next_session_on(session.patient_id))


def follow_ups_due(on: date, location_ids: frozenset[int] | None = None
                   ) -> list[TreatmentSession]:
    """Signed sessions of the last FOLLOW_UP_WITHIN_DAYS days with no follow-up recorded yet
    (at `location_ids`; None: anywhere), oldest first (the first to run out of time)."""
    followed = select(FollowUp.session_id)
    return list(db.session.scalars(narrowed(
        select(TreatmentSession).where(
            TreatmentSession.status == SIGNED,
            TreatmentSession.session_date >= on - timedelta(days=FOLLOW_UP_WITHIN_DAYS),
            TreatmentSession.session_date <= on, TreatmentSession.id.not_in(followed))
        .options(selectinload(TreatmentSession.prescriber))
        .order_by(TreatmentSession.session_date, TreatmentSession.id),
        TreatmentSession, location_ids)))


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
    """Containers this session has opened and not used up, then the batches to open next
    at the session's location."""
    opened = {i.batch_id: i.batch for i in session.given
              if open_remainder_ul(session, i.batch) > 0}
    offered = stock_queries.usable_batches(session.prescription.product_id,
                                           session.session_date, session.location_id,
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

