"""Stock never goes negative, also when many requests draw from one batch at once."""

import threading

from compliance.clock import local_today
from compliance.errors import InsufficientStock
from compliance.extensions import db
from compliance.models import User
from compliance.services import treatment
from tests.factories import make_product, ready_patient, receive_batch
from tests.stock_helpers import assert_balance_is_ledger_sum
from tests.treatment_helpers import open_session

THREADS = 20


def draw_in_own_transaction(app, nurse_id, session_id, batch_id, barrier, outcomes):
    with app.app_context():
        nurse = db.session.get(User, nurse_id)
        barrier.wait()
        try:
            treatment.record_injection(nurse, session_id, treatment.NewInjection(
                batch_id, 2_000, "left calf", 2))
            outcomes.append("drawn")
        except InsufficientStock:
            outcomes.append("refused")
        finally:
            db.session.remove()


def test_concurrent_draws_never_take_a_batch_below_zero(app, users):
    """20 threads each inject an ampoule's volume, in one session, from a batch holding 10
    (on PostgreSQL in CI, where SELECT ... FOR UPDATE serialises them; on SQLite, BEGIN
    IMMEDIATE does)."""
    product = make_product(max_volume_per_session_ul=50_000)
    batch = receive_batch(users["manager"], product, containers=10)
    patient, prescription = ready_patient(users, product, max_ul=50_000)
    session = open_session(users["nurse"], patient, prescription, local_today())
    nurse_id, session_id, batch_id = users["nurse"].id, session.id, batch.id
    db.session.commit()  # end this thread's read transaction before the others start
    barrier, outcomes = threading.Barrier(THREADS), []
    threads = [threading.Thread(target=draw_in_own_transaction,
                                args=(app, nurse_id, session_id, batch_id, barrier, outcomes))
               for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["drawn"] * 10 + ["refused"] * 10
    db.session.expire_all()
    assert batch.balance_ul == 0 and batch.sealed_containers == 0
    assert_balance_is_ledger_sum(batch)
