"""One batch split across two locations (D7) through every kind of movement in one story:
receipts at both, a transfer received one short, draws at the chair at both, waste, a
stocktake correction and sign-off. After each step every part, what is in transit, the batch
and its ledger agree, to the microlitre."""

import pytest

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Location
from compliance.services import stock, stock_check, stocktakes, transfers, treatment
from tests.factories import PASSWORD, make_product, ready_patient
from tests.location_helpers import (
    FIRST_LOCATION_ID,
    area_named,
    second_location,
    split_batch,
    user_at,
)
from tests.stock_helpers import assert_balance_is_ledger_sum
from tests.transfer_helpers import assert_parts_and_transit_add_up, parts, send
from tests.treatment_helpers import inject, open_session

MAIN = FIRST_LOCATION_ID


@pytest.fixture
def story(users):
    """Main clinic and Riverside, a manager and a nurse working at each only, and one batch
    received at both: 10 ampoules at the main clinic, 6 at Riverside."""
    riverside = second_location()
    people = dict(users, riverside=riverside,
                  product=make_product(max_volume_per_session_ul=50_000),
                  main_manager=user_at("manager", MAIN), main_nurse=user_at("nurse", MAIN),
                  river_manager=user_at("manager", riverside.id),
                  river_nurse=user_at("nurse", riverside.id))
    people["batch"] = split_batch(people["product"], people["main_manager"],
                                  people["river_manager"], 10, 6)
    return people


def agree(batch_id: int, river: int, main: tuple, there: tuple) -> None:
    """The parts are as expected; parts + transit = ledger; the batch's balance is its parts."""
    assert parts(batch_id) == {MAIN: main, river: there}
    assert_parts_and_transit_add_up(batch_id)


def session_at(story, nurse):
    patient, prescription = ready_patient(story, story["product"], max_ul=50_000)
    return open_session(nurse, patient, prescription, local_today())


def transfer_one_short(story, batch, river: int) -> None:
    """Four ampoules sent to Riverside, three arrive."""
    sent = send(story["main_manager"], batch, db.session.get(Location, river), 4)
    agree(batch.id, river, (12_000, 6), (12_000, 6))  # 8 ml in transit
    transfers.receive(story["river_nurse"], sent.id, transfers.Arrival(
        3, area_named(river, "Cupboard").id, "One ampoule cracked in the box"))
    agree(batch.id, river, (12_000, 6), (18_000, 9))


def test_a_split_batch_keeps_exact_balances_through_every_movement(story):
    batch, river = story["batch"], story["riverside"].id
    agree(batch.id, river, (20_000, 10), (12_000, 6))
    transfer_one_short(story, batch, river)
    there = session_at(story, story["river_nurse"])
    here = session_at(story, story["main_nurse"])
    inject(story["river_nurse"], there, batch, 2_500)  # opens two ampoules at Riverside
    inject(story["main_nurse"], here, batch, 1_000)  # opens one at the main clinic
    agree(batch.id, river, (11_000, 5), (15_500, 7))
    stock.record_waste(story["main_manager"], batch.id, stock.Waste(
        0, 1_000, "opened remainder", "Left in the ampoule", None, None))
    stocktakes.record_stocktake(
        story["river_manager"], [stocktakes.Count(batch.id, 6, "One ampoule missing")], None,
        stocktakes.Countersignature(story["doctor"].email, PASSWORD))
    agree(batch.id, river, (10_000, 5), (13_500, 6))
    # Sign-off wastes what is still open where each session took place: 1.5 ml at Riverside,
    # nothing at the main clinic, whose remainder was wasted above.
    treatment.sign_session(story["river_nurse"], there.id, PASSWORD)
    treatment.sign_session(story["main_nurse"], here.id, PASSWORD)
    agree(batch.id, river, (10_000, 5), (12_000, 6))
    db.session.refresh(batch)
    assert (batch.balance_ul, batch.sealed_containers, batch.in_transit_ul) == (22_000, 11, 0)
    assert_balance_is_ledger_sum(batch)
    assert stock_check.problems() == []
