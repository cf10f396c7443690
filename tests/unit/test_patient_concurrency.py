"""Reference numbers stay unique when many registrations arrive at once."""

import threading
from datetime import date

from sqlalchemy import select

from compliance.extensions import db
from compliance.models import Patient, User
from compliance.services import patients
from compliance.services.patients import PatientDetails

THREADS = 12


def register_in_own_transaction(app, manager_id, n, barrier, outcomes):
    with app.app_context():
        manager = db.session.get(User, manager_id)
        barrier.wait()
        try:
            patient = patients.register_patient(manager, PatientDetails(
                f"Name{n}", "Same", date(1980, 1, 1), "female"))
            outcomes.append(patient.reference)
        finally:
            db.session.remove()


def test_concurrent_registrations_get_distinct_sequential_references(app, users):
    """On PostgreSQL an advisory lock serialises the numbering; on SQLite, BEGIN IMMEDIATE."""
    manager_id = users["manager"].id
    db.session.commit()
    barrier, outcomes = threading.Barrier(THREADS), []
    threads = [threading.Thread(target=register_in_own_transaction,
                                args=(app, manager_id, n, barrier, outcomes))
               for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    expected = [f"P{n:06d}" for n in range(1, THREADS + 1)]
    assert sorted(outcomes) == expected
    assert sorted(db.session.scalars(select(Patient.reference))) == expected
