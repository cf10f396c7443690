"""Reference numbers stay unique when many registrations arrive at once."""

from datetime import date
from functools import partial

from sqlalchemy import select

from compliance.extensions import db
from compliance.models import Patient, User
from compliance.services import patients
from compliance.services.patients import PatientDetails
from tests.concurrency import at_once

THREADS = 12


def register(manager_id, n, ready):
    manager = db.session.get(User, manager_id)
    ready()
    return patients.register_patient(manager, PatientDetails(
        f"Name{n}", "Same", date(1980, 1, 1), "female")).reference


def test_concurrent_registrations_get_distinct_sequential_references(app, users):
    """On PostgreSQL an advisory lock serialises the numbering; on SQLite, BEGIN IMMEDIATE."""
    manager_id = users["manager"].id
    outcomes = at_once(app, [partial(register, manager_id, n) for n in range(THREADS)])
    expected = [f"P{n:06d}" for n in range(1, THREADS + 1)]
    assert sorted(outcomes) == expected
    assert sorted(db.session.scalars(select(Patient.reference))) == expected
