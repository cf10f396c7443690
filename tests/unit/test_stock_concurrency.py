"""Stock never goes negative, also when many requests draw from one batch at once; nor does
any location's part of a batch when they draw and waste at two locations at once (D7)."""

from functools import partial

from compliance.clock import local_today
from compliance.errors import InsufficientStock
from compliance.extensions import db
from compliance.models import User
from compliance.models.location import FIRST_LOCATION_ID
from compliance.services import stock, stock_check, treatment
from tests.concurrency import at_once
from tests.factories import PASSWORD, make_product, ready_patient, receive_batch
from tests.location_helpers import second_location, split_batch, user_at
from tests.stock_helpers import assert_balance_is_ledger_sum, assert_parts_are_ledger_sums, parts
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


# A batch split across two locations, each holding fewer sealed containers than the threads
# at it try to take, and together fewer than all of them try to take.
HELD = {"main": 7, "riverside": 5}


def _draw(nurse_id, session_id, batch_id, where, ready):
    nurse = db.session.get(User, nurse_id)
    ready()
    try:
        treatment.record_injection(nurse, session_id, treatment.NewInjection(
            batch_id, 2_000, "left calf", 2))
    except InsufficientStock:
        return f"{where} refused"
    return f"{where} taken"


def _waste(manager_id, witness_email, batch_id, where, ready):
    manager = db.session.get(User, manager_id)
    ready()
    try:
        stock.record_waste(manager, batch_id, stock.Waste(1, 0, "breakage", "Dropped",
                                                          witness_email, PASSWORD))
    except InsufficientStock:
        return f"{where} refused"
    return f"{where} taken"


def _actions_at(where, location_id, users, product, batch_id) -> list:
    """Five draws of one ampoule each in one session, and five witnessed wastes of a sealed
    ampoule, by a nurse and a manager who work at `location_id` only."""
    nurse, manager = user_at("nurse", location_id), user_at("manager", location_id)
    patient, prescription = ready_patient(users, product, max_ul=50_000)
    session = open_session(nurse, patient, prescription, local_today())
    return ([partial(_draw, nurse.id, session.id, batch_id, where)] * (THREADS // 4)
            + [partial(_waste, manager.id, users["doctor"].email, batch_id, where)]
            * (THREADS // 4))


def test_draws_and_waste_at_two_locations_never_take_either_below_zero(app, users):
    """20 threads, half at each location of one split batch, each take a sealed ampoule:
    each location gives what it holds and refuses the rest, whatever the other holds."""
    product = make_product(max_volume_per_session_ul=50_000)
    riverside = second_location().id
    batch = split_batch(product, user_at("manager", FIRST_LOCATION_ID),
                        user_at("manager", riverside), HELD["main"], HELD["riverside"])
    actions = (_actions_at("main", FIRST_LOCATION_ID, users, product, batch.id)
               + _actions_at("riverside", riverside, users, product, batch.id))
    outcomes = at_once(app, actions, timeout=120)
    expected = [f"{where} {outcome}" for where, held in HELD.items()
                for outcome in ["taken"] * held + ["refused"] * (THREADS // 2 - held)]
    assert sorted(outcomes) == sorted(expected)
    db.session.rollback()  # a fresh look, not this thread's snapshot from before the threads
    assert parts(batch) == {FIRST_LOCATION_ID: (0, 0), riverside: (0, 0)}
    assert_parts_are_ledger_sums(batch)
    assert stock_check.problems() == []
