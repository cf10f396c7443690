"""Nurses at several chairs at once: sessions drawing from the same two batches, in either
order, are all recorded and signed off (on PostgreSQL, writers once deadlocked over a batch
row and the audit chain or a month's stock row)."""

from functools import partial

from compliance.extensions import db
from compliance.models import Prescription, User
from compliance.services import stock_months, stock_queries, treatment
from tests.concurrency import at_once
from tests.factories import PASSWORD, make_product, ready_patient, receive_batch
from tests.treatment_helpers import days_ago

CHAIRS = 8


def session_at_a_chair(nurse_id, prescription_id, batch_ids, ready):
    nurse = db.session.get(User, nurse_id)
    prescription = db.session.get(Prescription, prescription_id)
    ready()
    session = treatment.open_session(nurse, treatment.NewSession(
        prescription.patient_id, prescription.id, days_ago(0), ["left calf"]))
    for batch_id in batch_ids:  # opens an ampoule of each: both are wasted at sign-off
        treatment.record_injection(nurse, session.id, treatment.NewInjection(
            batch_id, 500, "left calf", 2))
    treatment.sign_session(nurse, session.id, PASSWORD)
    return "signed"


def test_sessions_at_many_chairs_drawing_from_two_batches_are_all_recorded(app, users):
    product = make_product()
    first = receive_batch(users["manager"], product, containers=40, batch_number="FIRST")
    second = receive_batch(users["manager"], product, containers=40, batch_number="SECOND")
    prescriptions = [ready_patient(users, product)[1].id for _ in range(CHAIRS)]
    nurse_id = users["nurse"].id
    orders = [(first.id, second.id), (second.id, first.id)]
    outcomes = at_once(app, [partial(session_at_a_chair, nurse_id, prescriptions[n], orders[n % 2])
                             for n in range(CHAIRS)], timeout=120)
    assert outcomes == ["signed"] * CHAIRS
    db.session.rollback()  # a fresh look, not this thread's snapshot from before the chairs
    assert first.sealed_containers == second.sealed_containers == 40 - CHAIRS
    assert stock_queries.balance_mismatches() == [] and stock_months.mismatches() == []
