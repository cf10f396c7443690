"""Patients (D3): registration, identity and GP details, and finding a patient."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, text

from compliance.clock import local_today
from compliance.database import on_postgresql
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import Patient
from compliance.models.patient import SEXES
from compliance.services import ensure_can, reread
from compliance.services.audit import give_reason
from compliance.services.unit_of_work import unit_of_work

REFERENCE_PREFIX = "P"
REFERENCE_LOCK_KEY = 7_150_002  # pg_advisory_xact_lock key that serialises new references
SEARCH_LIMIT = 200


@dataclass
class PatientDetails:
    """The editable facts of a patient, as plain values."""

    first_name: str
    last_name: str
    date_of_birth: date
    sex: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    gp_practice: str | None = None
    gp_visit_advised: bool = True
    gp_visit_confirmed_on: date | None = None


def _clean(details: PatientDetails) -> None:
    for name in ("first_name", "last_name", "phone", "email", "address", "gp_practice"):
        value = (getattr(details, name) or "").strip()
        setattr(details, name, value or None)
    if details.email:
        details.email = details.email.lower()


def _check(details: PatientDetails) -> None:
    _clean(details)
    if not details.first_name or not details.last_name:
        raise InvalidInput("Enter the patient's first and last names.",
                           field="first_name" if not details.first_name else "last_name")
    if details.sex not in SEXES:
        raise InvalidInput("Choose one of the listed options.", field="sex")
    _check_dates(details)


def _check_dates(details: PatientDetails) -> None:
    today = local_today()
    if details.date_of_birth is None or details.date_of_birth > today:
        raise InvalidInput("The date of birth cannot be in the future.", field="date_of_birth")
    if today.year - details.date_of_birth.year > 120:
        raise InvalidInput("Check the date of birth: it is over 120 years ago.",
                           field="date_of_birth")
    confirmed = details.gp_visit_confirmed_on
    if confirmed and confirmed > today:
        raise InvalidInput("A GP visit cannot be confirmed for a future date.",
                           field="gp_visit_confirmed_on")
    if confirmed and confirmed < details.date_of_birth:
        raise InvalidInput("The GP visit date is before the date of birth.",
                           field="gp_visit_confirmed_on")


def _next_reference() -> str:
    """The next reference number, P000001 upwards; taken under a lock so two registrations
    never get the same one (SQLite's writer already holds the database's write lock)."""
    if on_postgresql():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": REFERENCE_LOCK_KEY})
    last = db.session.scalar(select(func.max(Patient.reference))
                             .where(Patient.reference.like(f"{REFERENCE_PREFIX}%")))
    number = int(last[len(REFERENCE_PREFIX):]) + 1 if last else 1
    return f"{REFERENCE_PREFIX}{number:06d}"


@unit_of_work("register a patient")
def register_patient(actor, details: PatientDetails) -> Patient:
    """Register a new patient with a unique, human-friendly reference number."""
    ensure_can(actor, "register_patients")
    _check(details)
    patient = Patient(reference=_next_reference(), **vars(details))
    db.session.add(patient)
    return patient


@unit_of_work("change a patient's details")
def update_patient(actor, patient_id: int, details: PatientDetails, reason: str) -> Patient:
    """Change a patient's details, saying why."""
    ensure_can(actor, "register_patients")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the change.", field="reason")
    _check(details)
    patient = reread(Patient, patient_id, "No such patient.")
    give_reason(reason)
    for name, value in vars(details).items():
        setattr(patient, name, value)
    return patient


def _as_date(term: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(term, fmt).date()
        except ValueError:
            continue
    return None


def search(term: str | None) -> list[Patient]:
    """Patients whose name, reference number or date of birth (dd/mm/yyyy) matches `term`;
    every patient, newest first, when there is no term."""
    query = select(Patient)
    term = (term or "").strip()
    born = _as_date(term)
    if born:
        query = query.where(Patient.date_of_birth == born)
    elif re.fullmatch(r"[Pp]?\d+", term):
        digits = term.lstrip("Pp")
        query = query.where(Patient.reference.contains(digits))
    elif term:
        words = [w for w in term.lower().split() if w]
        for word in words:
            query = query.where(or_(
                func.lower(Patient.first_name).contains(word, autoescape=True),
                func.lower(Patient.last_name).contains(word, autoescape=True)))
    order = (Patient.last_name, Patient.first_name) if term else (Patient.id.desc(),)
    return list(db.session.scalars(query.order_by(*order).limit(SEARCH_LIMIT)))
