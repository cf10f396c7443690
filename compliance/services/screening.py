"""Screening for contraindications (D0, D3): the list is data a manager keeps; each
screening answers every question then in use, and the newest is the patient's current one."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.errors import IncompleteScreening, InvalidInput
from compliance.extensions import db
from compliance.models import Contraindication, Patient, Screening, ScreeningAnswer
from compliance.services import ensure_can, reread
from compliance.services.audit import give_reason
from compliance.services.clinical import check_event_date
from compliance.services.unit_of_work import unit_of_work


@dataclass
class Answer:
    contraindication_id: int
    present: bool | None
    notes: str | None = None


def active_contraindications() -> list[Contraindication]:
    return list(db.session.scalars(select(Contraindication).where(Contraindication.active)
                                   .order_by(Contraindication.position, Contraindication.id)))


def all_contraindications() -> list[Contraindication]:
    return list(db.session.scalars(select(Contraindication)
                                   .order_by(Contraindication.active.desc(),
                                             Contraindication.position, Contraindication.id)))


# The newest screening is the current one: a later date, then the later record of a day.
NEWEST_FIRST = (Screening.screened_on.desc(), Screening.id.desc())


def screenings_of(patient: Patient) -> list[Screening]:
    """The patient's screenings, newest (the current one) first."""
    return list(db.session.scalars(select(Screening).where(Screening.patient_id == patient.id)
                                   .order_by(*NEWEST_FIRST)))


def current_screening_on(patient_id: int, on: date) -> Screening | None:
    """The patient's current screening on `on`: the newest screened on or before it."""
    return db.session.scalars(
        select(Screening).where(Screening.patient_id == patient_id, Screening.screened_on <= on)
        .order_by(*NEWEST_FIRST).limit(1)).first()


def current_screening(patient: Patient) -> Screening | None:
    """The patient's current screening today."""
    return current_screening_on(patient.id, local_today())


def present_in(screening: Screening | None) -> list[str]:
    """Names of the contraindications answered yes in `screening`."""
    if screening is None:
        return []
    return [a.contraindication.name for a in screening.answers if a.present]


def _answers(answers: list[Answer]) -> list[ScreeningAnswer]:
    given = {a.contraindication_id: a for a in answers}
    rows = []
    for item in active_contraindications():
        answer = given.get(item.id)
        if answer is None or answer.present is None:
            raise IncompleteScreening(f"Answer yes or no: {item.question}",
                                      field=f"answer-{item.id}")
        rows.append(ScreeningAnswer(contraindication_id=item.id, present=answer.present,
                                    notes=(answer.notes or "").strip() or None))
    return rows


@unit_of_work("record a screening")
def record_screening(actor, patient_id: int, screened_on: date | None,
                     answers: list[Answer]) -> Screening:
    """Record a complete questionnaire; it becomes the current screening, the earlier ones
    stay as history."""
    ensure_can(actor, "record_consultation")
    patient = reread(Patient, patient_id, "No such patient.")
    check_event_date(screened_on, "screened_on", "screening date", patient)
    screening = Screening(patient_id=patient.id, screened_on=screened_on,
                          recorded_by_id=actor.id, answers=_answers(answers))
    db.session.add(screening)
    return screening


@unit_of_work("add a contraindication")
def add_contraindication(actor, name: str, question: str, source: str = "clinic"):
    """Add a hard stop to the screening questionnaire."""
    ensure_can(actor, "manage_contraindications")
    name, question = (name or "").strip(), (question or "").strip()
    if not name or not question:
        raise InvalidInput("Enter the contraindication and its question.",
                           field="name" if not name else "question")
    clash = db.session.scalar(select(Contraindication)
                              .where(func.lower(Contraindication.name) == name.lower()))
    if clash is not None:
        raise InvalidInput("This contraindication is already on the list.", field="name")
    last = db.session.scalar(select(func.max(Contraindication.position))) or 0
    item = Contraindication(name=name, question=question, source=(source or "clinic").strip(),
                            active=True, position=last + 1)
    db.session.add(item)
    return item


@unit_of_work("deactivate or reactivate a contraindication")
def set_contraindication_active(actor, contraindication_id: int, active: bool,
                                reason: str) -> Contraindication:
    """Take a question off the questionnaire (or put it back); answers already given stay."""
    ensure_can(actor, "manage_contraindications")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the change.", field="reason")
    item = reread(Contraindication, contraindication_id, "No such contraindication.")
    give_reason(reason)
    item.active = active
    return item
