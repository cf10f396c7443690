"""Stock never goes negative, also when many requests draw from one batch at once."""

from compliance.clock import local_today
from compliance.errors import InsufficientStock
from compliance.extensions import db
from compliance.models import User
from compliance.services import treatment
from tests.concurrency import at_once
from tests.factories import make_product, ready_patient, receive_batch
from tests.stock_helpers import assert_balance_is_ledger_sum
from tests.treatment_helpers import open_session

THREADS = 20


def test_concurrent_draws_never_take_a_batch_below_zero(app, users):
    """20 threads each inject an ampoule's volume, in one session, from a batch holding 10
    (on PostgreSQL in CI, where SELECT ... FOR UPDATE serialises them; on SQLite, BEGIN
    IMMEDIATE does)."""
    product = make_product(max_volume_per_session_ul=50_000)
    batch = receive_batch(users["manager"], product, containers=10)
    patient, prescription = ready_patient(users, product, max_ul=50_000)
    session = open_session(users["nurse"], patient, prescription, local_today())
    nurse_id, session_id, batch_id = users["nurse"].id, session.id, batch.id

    def draw(ready):
        nurse = db.session.get(User, nurse_id)
        ready()
        try:
            treatment.record_injection(nurse, session_id, treatment.NewInjection(
                batch_id, 2_000, "left calf", 2))
        except InsufficientStock:
            return "refused"
        return "drawn"

    outcomes = at_once(app, [draw] * THREADS)
    assert sorted(outcomes) == ["drawn"] * 10 + ["refused"] * 10
    db.session.expire_all()
    assert batch.balance_ul == 0 and batch.sealed_containers == 0
    assert_balance_is_ledger_sum(batch)
