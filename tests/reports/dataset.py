"""A known data set for the report tests: every figure in it is worked out by hand."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from compliance.clock import local_today, utcnow
from compliance.errors import InsufficientStock
from compliance.extensions import db
from compliance.models import (
    FollowUp,
    InjectionReversal,
    SessionFlag,
    TreatmentSession,
)
from compliance.models.stock import ADMINISTRATION, REVERSAL
from compliance.services import stock, stocktakes
from compliance.services.ledger import locked_batch, post
from compliance.services.unit_of_work import unit_of_work
from tests.factories import make_product, make_session, ready_patient, receive_batch


def reverse_injection(session, manager, reason="Recorded against the wrong batch"):
    """Cancel a session's first injection with a reversal entry (a corrected record)."""
    injection = session.injections[0]
    batch = locked_batch(injection.batch_id)
    entry = post(manager, batch, REVERSAL, injection.volume_ul, 0,
                 reverses_id=injection.ledger_entry_id, reason=reason)
    db.session.flush()
    db.session.add(InjectionReversal(injection_id=injection.id, ledger_entry_id=entry.id,
                                     reason=reason, recorded_by_id=manager.id))
    db.session.commit()


@unit_of_work("draw stock")
def draw_beyond_the_balance(nurse, batch_id: int, volume_ul: int) -> None:
    """A draw the ledger refuses for want of stock, for the exceptions report (an injection
    this large would be refused under rule 6 before the ledger was asked)."""
    post(nurse, locked_batch(batch_id), ADMINISTRATION, -volume_ul, -(volume_ul // 2_000))


@pytest.fixture
def dataset(users):
    """Two batches of STS 1% (10 x 2 ml each), three sessions, waste, a stocktake
    discrepancy, a flagged session, a complication, a refused draw and a reversed injection.

    Batch A1 (expires in 365 days): session 1 (40 days ago) draws 1.5 ml, session 2 (5 days
    ago) draws 2 ml (reversed later), waste 0.5 ml opened remainder. Batch B2 (expires in 20
    days: near expiry): session 1 draws 1 ml, session 3 (nurse, 5 days ago, unsigned after 30
    hours) draws 0.5 ml. The stocktake counts 7 sealed containers of B2 where 8 were expected
    (1 missing: a -2 ml correction).
    """
    product = make_product("1")
    a1 = receive_batch(users["manager"], product, containers=10, batch_number="A1")
    b2 = receive_batch(users["manager"], product, containers=10, batch_number="B2",
                       expires_in_days=20)
    treated = treat(users, product, a1, b2)
    stock_events(users, a1, b2, treated["s2"])
    return dict(users, product=product, a1=a1, b2=b2, **treated)


def treat(users, product, a1, b2) -> dict:
    """Two patients and the three sessions, with session 3 left unsigned for 30 hours,
    session 2 flagged and a complication after session 1."""
    doctor, nurse = users["doctor"], users["nurse"]
    patient, prescription = ready_patient(users, product)
    other, other_rx = ready_patient(users, product)
    day1 = local_today() - timedelta(days=40)
    day2 = local_today() - timedelta(days=5)
    s1 = make_session(prescription, doctor, day1, [(a1, 1500), (b2, 1000)])
    s2 = make_session(prescription, doctor, day2, [(a1, 2000)], number=2)
    s3 = make_session(other_rx, nurse, day2, [(b2, 500)], signed=False)
    # Core UPDATE: back-dating test data is not a correction the reports should mark.
    db.session.execute(update(TreatmentSession).where(TreatmentSession.id == s3.id)
                       .values(started_at=utcnow() - timedelta(hours=30)))
    db.session.add(SessionFlag(session_id=s2.id, code="gap_over_6_weeks",
                               detail="35 days since session 1"))
    db.session.add(FollowUp(session_id=s1.id, seen_on=day1 + timedelta(days=14),
                            effects="clot", complication=True, severity="moderate",
                            action_taken="Clot drained", recorded_by_id=doctor.id))
    db.session.commit()
    return dict(day1=day1, day2=day2, patient=patient, other=other, prescription=prescription,
                s1=s1, s2=s2, s3=s3)


def stock_events(users, a1, b2, s2) -> None:
    """Waste from A1, a stocktake one ampoule of B2 short, a refused draw and s2's injection
    reversed."""
    manager = users["manager"]
    stock.record_waste(manager, a1.id, stock.Waste(0, 500, "opened remainder", "Left in ampoule"))
    stocktakes.record_stocktake(manager, [stocktakes.Count(a1.id, 8),
                                          stocktakes.Count(b2.id, 7, "One ampoule missing")],
                                None, stocktakes.Countersignature(
                                    users["doctor"].email, "Correct-Horse-Battery-9"))
    with pytest.raises(InsufficientStock):
        draw_beyond_the_balance(users["nurse"], a1.id, 50_000)
    reverse_injection(s2, manager)
