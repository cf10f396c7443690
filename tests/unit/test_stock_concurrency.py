"""Stock never goes negative, also when many requests draw from one batch at once."""

from compliance.clock import local_today
from compliance.errors import InsufficientStock
from compliance.extensions import db
from compliance.models import User
from compliance.services import stock
from tests.concurrency import at_once
from tests.factories import make_product, receive_batch
from tests.stock_helpers import assert_balance_is_ledger_sum

THREADS = 20


def test_concurrent_draws_never_take_a_batch_below_zero(app, users):
    """20 threads each ask for one ampoule of a batch holding 10 (on PostgreSQL in CI,
    where SELECT ... FOR UPDATE serialises them; on SQLite, BEGIN IMMEDIATE does)."""
    batch = receive_batch(users["manager"], make_product(), containers=10)
    nurse_id, batch_id = users["nurse"].id, batch.id

    def draw(ready):
        nurse = db.session.get(User, nurse_id)
        ready()
        try:
            stock.draw(nurse, batch_id, 2_000, 1, local_today())
        except InsufficientStock:
            return "refused"
        return "drawn"

    outcomes = at_once(app, [draw] * THREADS)
    assert sorted(outcomes) == ["drawn"] * 10 + ["refused"] * 10
    db.session.expire_all()
    assert batch.balance_ul == 0 and batch.sealed_containers == 0
    assert_balance_is_ledger_sum(batch)
