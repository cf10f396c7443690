"""Stock per location (D7), through the services: receipts into a storage area of the current
location, and every draw, waste, return, adjustment and stocktake on the current location's
part of a batch, which never goes below zero though the batch holds enough elsewhere."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.errors import (
    InsufficientStock,
    InvalidBarcode,
    InvalidInput,
    StockRefusal,
)
from compliance.extensions import db
from compliance.models import BatchStock, LedgerEntry
from compliance.models.stock import RECEIPT, STOCKTAKE_CORRECTION
from compliance.services import (
    goods_in,
    stock,
    stock_check,
    stock_parts,
    stock_queries,
    stocktakes,
    treatment,
    treatment_queries,
)
from compliance.treatment.injection_form import scanned_batch
from tests.factories import PASSWORD, make_product, ready_patient, receive_batch
from tests.location_helpers import (
    FIRST_LOCATION_ID,
    area_named,
    second_location,
    split_batch,
    user_at,
)
from tests.stock_helpers import assert_parts_are_ledger_sums, ledger_state, parts
from tests.treatment_helpers import inject, open_session

MAIN = FIRST_LOCATION_ID


@pytest.fixture
def place(users):
    """A second location, Riverside, with a manager and a nurse working at each location
    only, and a product whose sessions may take more than a location holds."""
    riverside = second_location()
    return dict(users, riverside=riverside,
                product=make_product(max_volume_per_session_ul=50_000),
                main_manager=user_at("manager", MAIN),
                other_manager=user_at("manager", riverside.id),
                main_nurse=user_at("nurse", MAIN), other_nurse=user_at("nurse", riverside.id))


def refused(error, action, match=None):
    """Run `action`, expect `error`, and check that nothing was written: no entry, no
    balance and no part moved."""
    before = ledger_state()
    with pytest.raises(error, match=match) as refusal:
        action()
    assert ledger_state() == before
    return refusal.value


def receipt(product, containers=4, batch_number="SPLIT", area_id=None) -> goods_in.Receipt:
    return goods_in.Receipt(product_id=product.id, batch_number=batch_number,
                            expires_on=local_today() + timedelta(days=365),
                            supplier="Medi Supplies", delivery_reference="DEL-9",
                            containers=containers, received_on=local_today(),
                            storage_area_id=area_id)


def session_at(place, nurse):
    patient, prescription = ready_patient(place, place["product"], max_ul=50_000)
    return open_session(nurse, patient, prescription, local_today())


def waste(containers=0, volume_ul=0, why="breakage", witness=None) -> stock.Waste:
    return stock.Waste(containers, volume_ul, why, "Dropped", witness.email if witness else None,
                       PASSWORD if witness else None)


def test_a_receipt_goes_into_the_chosen_storage_area_of_the_current_location(place):
    fridge = area_named(place["riverside"].id, "Fridge")
    entry = goods_in.receive(place["other_manager"], receipt(place["product"], area_id=fridge.id))
    [part] = db.session.scalars(select(BatchStock).where(BatchStock.batch_id == entry.batch_id))
    assert (entry.entry_type, entry.location_id) == (RECEIPT, place["riverside"].id)
    assert (part.location_id, part.storage_area_id, part.sealed_containers) == (
        place["riverside"].id, fridge.id, 4)


def test_a_receipt_into_another_locations_storage_area_is_refused(place):
    error = refused(InvalidInput, lambda: goods_in.receive(
        place["other_manager"], receipt(place["product"], area_id=1)))
    assert error.field == "storage_area_id" and "storage area of this location" in error.message


def test_a_receipt_into_a_storage_area_out_of_use_is_refused(place):
    fridge = area_named(place["riverside"].id, "Fridge")
    fridge.active = False
    db.session.commit()
    error = refused(InvalidInput, lambda: goods_in.receive(
        place["other_manager"], receipt(place["product"], area_id=fridge.id)))
    assert "Fridge is no longer in use" in error.message


@pytest.mark.parametrize("area_id", [999, -1, 2**31, 10**30])
def test_a_receipt_into_no_storage_area_there_is_refused(place, area_id):
    refused(InvalidInput, lambda: goods_in.receive(
        place["main_manager"], receipt(place["product"], area_id=area_id)))


def test_a_second_receipt_at_the_same_location_goes_to_its_part(place):
    riverside, product = place["riverside"], place["product"]
    fridge, cupboard = (area_named(riverside.id, name) for name in ("Fridge", "Cupboard"))
    goods_in.receive(place["other_manager"], receipt(product, 4, area_id=fridge.id))
    entry = goods_in.receive(place["other_manager"], receipt(product, 3))
    assert parts(entry.batch) == {riverside.id: (14_000, 7)}
    error = refused(InvalidInput, lambda: goods_in.receive(
        place["other_manager"], receipt(product, 1, area_id=cupboard.id)))
    assert "already kept in Fridge here" in error.message
    # At another location the same batch makes a part of its own.
    goods_in.receive(place["main_manager"], receipt(product, 2))
    assert parts(entry.batch) == {MAIN: (4_000, 2), riverside.id: (14_000, 7)}
    assert_parts_are_ledger_sums(entry.batch)


def test_an_emptied_part_moves_with_new_stock_into_the_area_chosen(place):
    riverside, product = place["riverside"], place["product"]
    fridge, cupboard = (area_named(riverside.id, name) for name in ("Fridge", "Cupboard"))
    entry = goods_in.receive(place["other_manager"], receipt(product, 1, area_id=fridge.id))
    stock.record_return(place["other_manager"], entry.batch_id, 1, "Wrong strength sent")
    goods_in.receive(place["other_manager"], receipt(product, 2, area_id=cupboard.id))
    part = db.session.scalars(select(BatchStock).where(BatchStock.batch_id == entry.batch_id)
                              .execution_options(populate_existing=True)).one()
    assert (part.storage_area_id, part.sealed_containers) == (cupboard.id, 2)


def _waste_and_count_at_riverside(place, batch) -> None:
    """A sealed ampoule broken, the opened ampoule's 1.5 ml wasted from the batch's page
    before sign-off, then one ampoule found missing at the stocktake."""
    stock.record_waste(place["other_manager"], batch.id,
                       waste(containers=1, witness=place["other_nurse"]))
    stock.record_waste(place["other_manager"], batch.id,
                       waste(volume_ul=1_500, why="opened remainder"))
    assert parts(batch)[place["riverside"].id] == (6_000, 3)
    stocktakes.record_stocktake(place["other_manager"], [stocktakes.Count(batch.id, 2, "Lost")],
                                None, stocktakes.Countersignature(place["doctor"].email, PASSWORD))


def test_a_split_batch_keeps_exact_balances_through_receipts_draws_waste_and_stocktakes(place):
    riverside = place["riverside"].id
    batch = split_batch(place["product"], place["main_manager"], place["other_manager"], 10, 6)
    assert parts(batch) == {MAIN: (20_000, 10), riverside: (12_000, 6)}
    there = session_at(place, place["other_nurse"])
    here = session_at(place, place["main_nurse"])
    inject(place["other_nurse"], there, batch, 2_500)  # opens two ampoules at Riverside
    inject(place["main_nurse"], here, batch, 1_000)  # opens one at the main clinic
    assert parts(batch) == {MAIN: (19_000, 9), riverside: (9_500, 4)}
    _waste_and_count_at_riverside(place, batch)
    assert parts(batch) == {MAIN: (19_000, 9), riverside: (4_000, 2)}
    stocktakes.record_stocktake(place["main_manager"], [stocktakes.Count(batch.id, 9)], None,
                                stocktakes.Countersignature(None, None))
    # Sign-off wastes what is left open at each session's location: nothing at Riverside,
    # where it was already wasted, and 1 ml at the main clinic.
    treatment.sign_session(place["other_nurse"], there.id, PASSWORD)
    treatment.sign_session(place["main_nurse"], here.id, PASSWORD)
    assert parts(batch) == {MAIN: (18_000, 9), riverside: (4_000, 2)}
    db.session.refresh(batch)
    assert (batch.balance_ul, batch.sealed_containers) == (22_000, 11)
    assert_parts_are_ledger_sums(batch)
    assert stock_check.problems() == []


@pytest.fixture
def short_there(place):
    """The batch split 10 at the main clinic, 1 at Riverside, where nothing is opened; an
    ampoule opened at the main clinic holds 1 ml there."""
    batch = split_batch(place["product"], place["main_manager"], place["other_manager"], 10, 1)
    inject(place["main_nurse"], session_at(place, place["main_nurse"]), batch, 1_000)
    return batch


REFUSED_THERE = {
    "waste of sealed containers": lambda p, b: stock.record_waste(
        p["other_manager"], b.id, waste(containers=2, witness=p["other_nurse"])),
    "waste of loose volume": lambda p, b: stock.record_waste(
        p["other_manager"], b.id, waste(volume_ul=500, why="opened remainder")),
    "return": lambda p, b: stock.record_return(p["other_manager"], b.id, 2, "Damaged box"),
    "adjustment": lambda p, b: stock.adjust(p["other_manager"], b.id, -2, "Miscounted"),
    "injection": lambda p, b: inject(p["other_nurse"], session_at(p, p["other_nurse"]), b,
                                     4_000),
}


@pytest.mark.parametrize("act", REFUSED_THERE.values(), ids=REFUSED_THERE.keys())
def test_a_location_holding_too_little_refuses_though_the_batch_holds_enough(place, short_there,
                                                                           act):
    held = parts(short_there)
    assert short_there.balance_ul > 4_000 and held[place["riverside"].id] == (2_000, 1)
    error = refused(InsufficientStock, lambda: act(place, short_there))
    assert "here" in error.message or "at Riverside" in error.message
    assert parts(short_there) == held


def test_loose_volume_is_checked_against_the_locations_opened_containers(place, short_there):
    error = refused(InsufficientStock, lambda: stock.record_waste(
        place["other_manager"], short_there.id, waste(volume_ul=1, why="opened remainder")))
    assert "at Riverside holds 0 ml in opened containers" in error.message
    stock.record_waste(place["main_manager"], short_there.id,
                       waste(volume_ul=1_000, why="opened remainder"))
    assert parts(short_there)[MAIN] == (18_000, 9)


def test_a_draw_after_the_opened_remainder_was_wasted_opens_a_new_container(place):
    """The session's own remainder counts only while the location still holds it opened."""
    batch = receive_batch(place["main_manager"], place["product"], containers=5)
    session = session_at(place, place["main_nurse"])
    inject(place["main_nurse"], session, batch, 500)  # one ampoule opened, 1.5 ml left
    stock.record_waste(place["main_manager"], batch.id,
                       waste(volume_ul=1_500, why="opened remainder"))
    entry = inject(place["main_nurse"], session, batch, 500).ledger_entry
    assert entry.containers == -1 and parts(batch)[MAIN] == (7_500, 3)
    assert_parts_are_ledger_sums(batch)


def test_the_chair_never_offers_another_locations_batch(place):
    product, riverside = place["product"], place["riverside"].id
    only_main = receive_batch(place["main_manager"], product, batch_number="MAINONLY",
                              expires_in_days=30)
    split = split_batch(product, place["main_manager"], place["other_manager"], 5, 2)
    only_there = receive_batch(place["other_manager"], product, batch_number="THEREONLY",
                               expires_in_days=400)
    there = session_at(place, place["other_nurse"])
    here = session_at(place, place["main_nurse"])
    offered = treatment_queries.session_picture(there).batches
    assert [batch.batch_number for batch in offered] == ["SPLIT", "THEREONLY"]
    assert treatment_queries.session_picture(here).batches == [only_main, split]
    assert stock_queries.usable_batches(product.id, local_today(), riverside) == [split,
                                                                                   only_there]
    with pytest.raises(InvalidBarcode, match="in stock here at Riverside"):
        scanned_batch("(10)MAINONLY", there)
    assert scanned_batch("(10)SPLIT", there) == split
    refused(InsufficientStock, lambda: inject(place["other_nurse"], there, only_main, 1_000))


def test_a_batch_with_no_sealed_container_left_at_a_location_is_not_offered_there(place):
    batch = split_batch(place["product"], place["main_manager"], place["other_manager"], 5, 1)
    there = session_at(place, place["other_nurse"])
    inject(place["other_nurse"], there, batch, 2_000)
    assert stock_queries.usable_batches(place["product"].id, local_today(),
                                        place["riverside"].id) == []
    assert treatment_queries.session_picture(there).batches == []


def test_a_stocktake_counts_and_corrects_the_current_locations_part(place):
    riverside = place["riverside"].id
    batch = split_batch(place["product"], place["main_manager"], place["other_manager"], 10, 3)
    receive_batch(place["main_manager"], place["product"], batch_number="MAINONLY")
    sheet = stocktakes.batches_to_count(riverside)
    assert [(part.batch.batch_number, part.sealed_containers) for part in sheet] == [("SPLIT", 3)]
    taken = stocktakes.record_stocktake(
        place["other_manager"], [stocktakes.Count(batch.id, 4, "Found behind the fridge")], None,
        stocktakes.Countersignature(place["doctor"].email, PASSWORD))
    assert (taken.location_id, taken.lines[0].expected_containers) == (riverside, 3)
    [correction] = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.entry_type == STOCKTAKE_CORRECTION))
    assert (correction.location_id, correction.containers) == (riverside, 1)
    assert parts(batch) == {MAIN: (20_000, 10), riverside: (8_000, 4)}
    assert_parts_are_ledger_sums(batch)


def test_an_entry_is_reversed_only_while_working_at_its_location(place):
    entry = goods_in.receive(place["other_manager"], receipt(place["product"]))
    refused(StockRefusal, lambda: stock.reverse(place["main_manager"], entry.id, "Not ours"),
            "another location")
    stock.reverse(place["other_manager"], entry.id, "Entered twice")
    assert parts(entry.batch) == {place["riverside"].id: (0, 0)}


def test_the_reorder_notice_names_each_location_running_low(place):
    product = place["product"]
    product.reorder_level_containers = 3
    db.session.commit()
    unheld = make_product("3", reorder_level_containers=2)
    split_batch(product, place["main_manager"], place["other_manager"], 10, 2)
    low = [(row.product.name, row.location.name if row.location else None, row.sealed)
           for row in stock_parts.low_stock(local_today())]
    assert low == [(product.name, "Riverside", 2), (unheld.name, None, 0)]


def test_the_stock_check_finds_a_tampered_part(place, runner):
    from tests.audit_helpers import execute_raw

    batch = split_batch(place["product"], place["main_manager"], place["other_manager"], 10, 6)
    assert runner.invoke(args=["stock", "check"]).exit_code == 0
    execute_raw("UPDATE batch_stocks SET balance_ul = balance_ul - 2000, "
                "sealed_containers = sealed_containers - 1 WHERE location_id = :id",
                id=place["riverside"].id)
    result = runner.invoke(args=["stock", "check"])
    assert result.exit_code == 1
    assert (f"MISMATCH part of {batch} at Riverside: stored 10000 ul / 5 sealed, its ledger "
            "there 12000 ul / 6 sealed") in result.output
    assert (f"MISMATCH {batch}: its parts at every location add up to 30000 ul / 15 sealed, "
            "the batch holds 32000 ul / 16 sealed") in result.output
    # The batch's own balance still agrees with its ledger: only the part was changed.
    assert "stored 32000" not in result.output
    assert db.session.scalar(select(func.count()).select_from(BatchStock)) == 2
