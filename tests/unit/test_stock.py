"""The ledger's rules: each refusal says why and changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from compliance.clock import local_today
from compliance.errors import (
    AlreadyReversed,
    BatchExpired,
    BatchQuarantined,
    BatchRecalled,
    InsufficientStock,
    InvalidInput,
    NotAPrescriber,
    NotPermitted,
    SecondPersonRequired,
    StockRefusal,
)
from compliance.extensions import db
from compliance.models.location import FIRST_LOCATION_ID
from compliance.models.stock import (
    ADMINISTRATION,
    RECEIPT,
    REVERSAL,
    STOCKTAKE_CORRECTION,
    Batch,
)
from compliance.models.stock_month import StockMonth
from compliance.services import (
    ledger,
    stock,
    stock_months,
    stock_overview,
    stock_queries,
    stocktakes,
)
from compliance.services.signatures import signatures_of
from tests.audit_helpers import events, execute_raw
from tests.factories import PASSWORD, make_product, ready_patient, receive_batch
from tests.stock_helpers import assert_balance_is_ledger_sum, ledger_state
from tests.treatment_helpers import inject, open_session

TODAY = local_today
HERE = FIRST_LOCATION_ID  # every user of these tests works there


@pytest.fixture
def product(app):
    # Sessions may take more than a batch holds, so that the ledger is what refuses a draw.
    return make_product(max_volume_per_session_ul=50_000)


@pytest.fixture
def batch(users, product):
    return receive_batch(users["manager"], product, containers=10)


@pytest.fixture
def session(users, product):
    """An open treatment session of the nurse's, today: injections draw stock."""
    patient, prescription = ready_patient(users, product, max_ul=50_000)
    return open_session(users["nurse"], patient, prescription, TODAY())


def draw(prescriber, session, batch, volume_ul):
    """Draw `volume_ul` from `batch` by recording an injection; its ledger entry."""
    return inject(prescriber, session, batch, volume_ul).ledger_entry


def refused(error, action, match=None):
    """Run `action`, expect `error`, and check the ledger and balances did not move; the
    refusal is returned."""
    before = ledger_state()
    with pytest.raises(error, match=match) as refusal:
        action()
    assert ledger_state() == before
    return refusal.value


def waste(containers=0, volume_ul=0, why="other", reason="Dropped", email=None, password=None):
    return stock.Waste(containers, volume_ul, why, reason, email, password)


def test_receiving_posts_a_receipt_and_sets_the_balance(users, batch):
    [entry] = stock_queries.ledger(batch.id)
    assert entry.entry_type == RECEIPT and entry.quantity_ul == 20_000 and entry.containers == 10
    assert batch.balance_ul == 20_000 and batch.sealed_containers == 10
    assert entry.actor_id == users["manager"].id


def test_the_same_batch_number_again_adds_to_that_batch(users, product, batch):
    again = receive_batch(users["manager"], product, containers=5, batch_number="b1")
    assert again.id == batch.id and again.sealed_containers == 15
    assert len(stock_queries.ledger(batch.id)) == 2


def test_a_batch_number_with_another_expiry_is_refused(users, product, batch):
    refused(InvalidInput, lambda: receive_batch(users["manager"], product, batch_number="B1",
                                                expires_in_days=100), "already recorded")


def test_an_already_expired_batch_is_not_received(users, product):
    refused(BatchExpired, lambda: receive_batch(users["manager"], product, batch_number="OLD",
                                                expires_in_days=-1), "already expired")


def test_a_batch_expiring_today_is_received(users, product):
    batch = receive_batch(users["manager"], product, batch_number="LAST", expires_in_days=0)
    assert batch.sealed_containers == 10 and batch.status(TODAY()) == "available"


def test_only_managers_receive_stock(users, product):
    for kind in ("doctor", "nurse", "inspector"):
        refused(NotPermitted, lambda k=kind: receive_batch(users[k], product))


def test_drawing_reduces_balance_and_opens_containers(users, batch, session):
    entry = draw(users["nurse"], session, batch, 2_500)
    assert entry.entry_type == ADMINISTRATION and entry.quantity_ul == -2_500
    assert batch.balance_ul == 17_500 and batch.sealed_containers == 8
    assert_balance_is_ledger_sum(batch)


def test_stock_never_goes_negative(users, batch, session):
    refused(InsufficientStock, lambda: draw(users["nurse"], session, batch, 20_001),
            "holds 20 ml")


def test_managers_cannot_draw_for_injections(users, batch, session):
    refused(NotAPrescriber, lambda: draw(users["manager"], session, batch, 1_000))


def test_an_expired_batch_cannot_be_drawn_from(users, batch, session):
    yesterday = TODAY() - timedelta(days=1)
    execute_raw("UPDATE batches SET expires_on = :d WHERE id = :id", d=yesterday, id=batch.id)
    refused(BatchExpired, lambda: draw(users["nurse"], session, batch, 1_000),
            f"expired on {yesterday:%d %b %Y}")


def test_a_batch_is_drawn_from_on_its_expiry_date(users, batch, session):
    execute_raw("UPDATE batches SET expires_on = :d WHERE id = :id", d=TODAY(), id=batch.id)
    db.session.refresh(batch)
    assert draw(users["nurse"], session, batch, 1_000).quantity_ul == -1_000


def test_quarantined_batches_are_refused_until_released(users, batch, session):
    stock.change_state(users["manager"], batch.id, "quarantine", "Damaged outer carton")
    refused(BatchQuarantined, lambda: draw(users["nurse"], session, batch, 1_000))
    stock.change_state(users["manager"], batch.id, "release", "Carton checked: intact")
    draw(users["nurse"], session, batch, 1_000)


def test_a_recall_is_final(users, batch, session):
    stock.change_state(users["manager"], batch.id, "recall", "Supplier recall notice R-12")
    refused(BatchRecalled, lambda: draw(users["nurse"], session, batch, 1_000))
    refused(StockRefusal, lambda: stock.change_state(users["manager"], batch.id, "release",
                                                     "try"), "cannot be released")
    refused(BatchRecalled, lambda: stock.adjust(users["manager"], batch.id, 2, "found more"))


def test_a_state_change_needs_a_reason(users, batch):
    refused(InvalidInput, lambda: stock.change_state(users["manager"], batch.id, "quarantine",
                                                     " "), "reason")


def test_waste_and_returns_need_a_reason_and_stock(users, batch):
    refused(InvalidInput, lambda: stock.record_waste(users["manager"], batch.id,
                                                     waste(1, reason="")), "reason")
    refused(InsufficientStock, lambda: stock.record_return(users["manager"], batch.id, 11,
                                                           "Wrong strength"))
    stock.record_return(users["manager"], batch.id, 2, "Wrong strength delivered")
    assert batch.sealed_containers == 8 and batch.balance_ul == 16_000


def test_destruction_needs_a_witness_who_is_someone_else(users, batch):
    manager, doctor = users["manager"], users["doctor"]
    breakage = dict(containers=1, why="breakage", reason="Ampoule cracked")
    refused(SecondPersonRequired, lambda: stock.record_waste(manager, batch.id, waste(**breakage)),
            "Enter the witness's email address: disposal of sealed containers is witnessed.")
    refused(SecondPersonRequired, lambda: stock.record_waste(
        manager, batch.id, waste(**breakage, email=manager.email, password=PASSWORD)),
        "someone other than you")
    refused(SecondPersonRequired, lambda: stock.record_waste(
        manager, batch.id, waste(**breakage, email=doctor.email, password="wrong-password")),
        "password is incorrect")
    entry = stock.record_waste(manager, batch.id,
                               waste(**breakage, email=doctor.email, password=PASSWORD))
    assert entry.witness_id == doctor.id and entry.quantity_ul == -2_000
    [status] = signatures_of(entry)
    assert status.intact and status.signature.meaning == "witnessed destruction"


WITNESS_NEEDED = "Enter the witness's email address: disposal of sealed containers is witnessed."


@pytest.mark.parametrize("why", ["breakage", "expiry disposal", "other"])
def test_every_sealed_container_disposed_of_is_witnessed(users, batch, why):
    before = len(events(action="refused"))
    refusal = refused(SecondPersonRequired, lambda: stock.record_waste(
        users["manager"], batch.id, waste(containers=1, why=why, email="  ")))
    assert (refusal.message, refusal.field) == (WITNESS_NEEDED, "second_email")
    assert len(events(action="refused")) == before + 1


def test_an_opened_remainder_is_loose_volume_never_sealed_containers(users, batch):
    refused(InvalidInput, lambda: stock.record_waste(
        users["manager"], batch.id, waste(containers=1, why="opened remainder")),
        "An opened remainder is loose volume: enter it in ml, and record sealed containers "
        "as breakage, expiry disposal or other.")


@pytest.mark.parametrize("who", ["inspector", "deactivated", "access ended"])
def test_only_an_active_manager_or_prescriber_witnesses(users, batch, who):
    from tests.factories import make_user

    witness = {"inspector": lambda: users["inspector"],
               "deactivated": lambda: make_user("doctor", active=False),
               "access ended": lambda: make_user("nurse", access_expires_on=TODAY()
                                                 - timedelta(days=1))}[who]()
    message = ("That account cannot be the witness: a witness is a manager or a prescriber, "
               "never an inspector." if who == "inspector"
               else "No active account has that email address.")
    refused(SecondPersonRequired, lambda: stock.record_waste(users["manager"], batch.id, waste(
        containers=1, why="breakage", email=witness.email, password=PASSWORD)), message)


def test_an_inspector_cannot_countersign_a_stocktake(users, batch):
    manager, inspector = users["manager"], users["inspector"]
    for email, message in ((inspector.email, "That account cannot be the countersigner: a "
                                             "countersigner is a manager or a prescriber, "
                                             "never an inspector."),
                           ("", "Enter the countersigner's email address: a stocktake "
                                "discrepancy is countersigned.")):
        refused(SecondPersonRequired, lambda e=email: stocktakes.record_stocktake(
            manager, [count(batch, 9, "One missing")], None,
            stocktakes.Countersignature(e, PASSWORD)), message)


@pytest.mark.parametrize("kind", ["nurse", "doctor"])
def test_a_prescriber_records_breakage_witnessed_and_an_opened_remainder(users, batch,
                                                                           session, kind):
    prescriber, witness = users[kind], users["manager"]
    broken = stock.record_waste(prescriber, batch.id, waste(
        containers=1, why="breakage", reason="Dropped at the chair", email=witness.email,
        password=PASSWORD))
    assert (broken.actor_id, broken.witness_id, broken.containers) == (prescriber.id,
                                                                       witness.id, -1)
    [status] = signatures_of(broken)
    assert status.signature.signer_id == witness.id
    draw(users["nurse"], session, batch, 500)
    left = stock.record_waste(prescriber, batch.id, waste(volume_ul=300, why="opened remainder"))
    assert left.witness_id is None and left.quantity_ul == -300
    assert_balance_is_ledger_sum(batch)


@pytest.mark.parametrize("why", ["expiry disposal", "other"])
def test_a_prescriber_cannot_record_other_disposals(users, batch, why):
    before = len(events(action="refused"))
    refusal = refused(NotPermitted, lambda: stock.record_waste(users["nurse"], batch.id, waste(
        containers=1, why=why, email=users["manager"].email, password=PASSWORD)))
    assert refusal.message == (
        "A prescriber records waste of breakage and opened remainders only; expiry disposal "
        "and other disposals are recorded by a manager.")
    assert refusal.field == "waste_reason"
    [event] = events(action="refused")[before:]
    assert event.actor_id == users["nurse"].id and "record waste" in event.detail


def test_an_opened_remainder_is_wasted_without_a_witness(users, batch, session):
    draw(users["nurse"], session, batch, 1_500)
    entry = stock.record_waste(users["manager"], batch.id, waste(volume_ul=500,
                                                                 why="opened remainder"))
    assert entry.containers == 0 and batch.balance_ul == 18_000
    assert_balance_is_ledger_sum(batch)


def test_a_mistaken_entry_is_reversed_once_never_edited(users, batch):
    manager = users["manager"]
    adjustment = stock.adjust(manager, batch.id, 3, "Extra box found in fridge")
    reversal = stock.reverse(manager, adjustment.id, "Box belonged to another clinic")
    assert reversal.entry_type == REVERSAL and reversal.reverses_id == adjustment.id
    assert reversal.quantity_ul == -6_000 and batch.sealed_containers == 10
    refused(AlreadyReversed, lambda: stock.reverse(manager, adjustment.id, "again"))
    refused(StockRefusal, lambda: stock.reverse(manager, reversal.id, "undo the undo"))
    assert_balance_is_ledger_sum(batch)


def test_a_reversal_cannot_take_stock_below_zero(users, batch, session):
    receipt = stock_queries.ledger(batch.id)[0]
    draw(users["nurse"], session, batch, 2_000)
    refused(InsufficientStock, lambda: stock.reverse(users["manager"], receipt.id, "Wrong"))


def test_administrations_are_not_reversed_from_the_stock_pages(users, batch, session):
    entry = draw(users["nurse"], session, batch, 1_000)
    refused(StockRefusal, lambda: stock.reverse(users["manager"], entry.id, "wrong"),
            "corrected from its own record")


def test_a_refused_draw_is_an_audit_event(users, batch, session):
    with pytest.raises(InsufficientStock):
        draw(users["nurse"], session, batch, 50_000)
    event = events(action="refused")[-1]
    assert event.actor_id == users["nurse"].id and event.rule == "D4.7 insufficient stock"


def test_batches_are_offered_first_expiry_first(users, product):
    later = receive_batch(users["manager"], product, batch_number="LATE", expires_in_days=300)
    sooner = receive_batch(users["manager"], product, batch_number="SOON", expires_in_days=30)
    gone = receive_batch(users["manager"], product, batch_number="GONE", expires_in_days=60)
    stock.change_state(users["manager"], gone.id, "quarantine", "Check")
    offered = stock_queries.usable_batches(product.id, TODAY(), HERE)
    assert [b.batch_number for b in offered] == ["SOON", "LATE"]
    assert later.id != sooner.id
    # SOON is usable on its expiry date and not the day after (D2).
    assert stock_queries.usable_batches(product.id, TODAY() + timedelta(days=30), HERE) == [sooner,
                                                                                      later]
    assert stock_queries.usable_batches(product.id, TODAY() + timedelta(days=31), HERE) == [later]
    assert stock_queries.usable_batches(product.id, TODAY(), HERE, limit=1) == [sooner]


def count(batch, counted, reason=None):
    return stocktakes.Count(batch.id, counted, reason)


def test_a_stocktake_that_agrees_needs_no_countersignature(users, batch):
    taken = stocktakes.record_stocktake(users["manager"], [count(batch, 10)], None,
                                        stocktakes.Countersignature(None, None))
    assert taken.countersigned_by_id is None and len(stock_queries.ledger(batch.id)) == 1


def test_a_stocktake_difference_needs_a_reason_and_a_countersignature(users, batch):
    manager, doctor = users["manager"], users["doctor"]
    nobody = stocktakes.Countersignature(None, None)
    signer = stocktakes.Countersignature(doctor.email, PASSWORD)
    refused(InvalidInput, lambda: stocktakes.record_stocktake(manager, [count(batch, 9)], None,
                                                              signer), "give a reason")
    refused(SecondPersonRequired, lambda: stocktakes.record_stocktake(
        manager, [count(batch, 9, "One missing")], None, nobody))
    taken = stocktakes.record_stocktake(manager, [count(batch, 9, "One missing")], "Monthly",
                                        signer)
    correction = stock_queries.ledger(batch.id)[-1]
    assert correction.entry_type == STOCKTAKE_CORRECTION and correction.containers == -1
    assert correction.stocktake_id == taken.id and taken.countersigned_by_id == doctor.id
    assert batch.sealed_containers == 9 and batch.balance_ul == 18_000
    [status] = signatures_of(taken)
    assert status.intact and status.signature.meaning == "countersigned stocktake"


def test_balance_is_the_sum_of_entries_after_every_kind_of_operation(users, product, batch,
                                                                     session):
    manager, nurse = users["manager"], users["nurse"]
    draw(nurse, session, batch, 1_500)
    stock.record_waste(manager, batch.id, waste(volume_ul=500, why="opened remainder"))
    stock.record_return(manager, batch.id, 1, "Short dated")
    adjustment = stock.adjust(manager, batch.id, -1, "Counted wrong at delivery")
    stock.reverse(manager, adjustment.id, "It was right after all")
    stocktakes.record_stocktake(manager, [count(batch, 7, "Broken in fridge")], None,
                                stocktakes.Countersignature(users["doctor"].email, PASSWORD))
    assert_balance_is_ledger_sum(batch)
    assert stock_queries.balance_mismatches() == []
    assert stock_months.mismatches() == []
    assert (batch.receipt_total_ul, batch.administration_total_ul, batch.waste_total_ul,
            batch.reversal_count) == (20_000, -1_500, -500, 1)


def test_a_kept_total_that_disagrees_with_the_ledger_is_reported(users, product, batch,
                                                                 session):
    draw(users["nurse"], session, batch, 1_500)
    db.session.execute(update(Batch).where(Batch.id == batch.id)
                       .values(administration_total_ul=0))
    db.session.execute(update(StockMonth).values(quantity_ul=StockMonth.quantity_ul + 1))
    db.session.commit()
    [mismatch] = stock_queries.balance_mismatches()
    assert mismatch.totals_differ == ("administration_total_ul",)
    assert len(stock_months.mismatches()) == 2  # the receipt's month and the draw's


def test_monthly_sums_are_kept_as_the_transaction_commits(users, product, batch):
    """A month's row is written (and locked) only at commit, after every batch row the
    transaction took: concurrent writers cannot deadlock over the two."""
    def administered():
        return db.session.scalar(select(func.coalesce(func.sum(StockMonth.quantity_ul), 0))
                                 .where(StockMonth.entry_type == ADMINISTRATION))

    ledger.post(users["nurse"], ledger.locked_batch(batch.id), ADMINISTRATION, -1_000, -1)
    db.session.flush()
    assert administered() == 0 and db.session.info[stock_months.PENDING]
    db.session.commit()
    assert administered() == -1_000 and stock_months.mismatches() == []


def test_a_batch_expiring_today_is_not_counted_as_expired_anywhere(users, product):
    from compliance.services.reports import dashboard, expiry
    from compliance.services.reports.common import Filters, Listing

    manager = users["manager"]
    receive_batch(manager, product, batch_number="TODAY", expires_in_days=0)
    gone = receive_batch(manager, product, batch_number="GONE", expires_in_days=5)
    execute_raw("UPDATE batches SET expires_on = :d WHERE id = :id",
                d=TODAY() - timedelta(days=1), id=gone.id)
    result = expiry.report(Filters(), Listing("batch_number", page=None))
    assert [(r.batch_number, r.days_left, r.expired, r.status) for r in result.rows] == [
        ("GONE", -1, True, "expired"), ("TODAY", 0, False, "expires today")]
    assert (result.totals["expired"], result.totals["expiring"]) == (1, 1)
    assert dashboard.open_exceptions()["Expired batches holding stock"] == 1
    filters = stock_overview.BatchFilters(status="expired")
    assert [p.batch.batch_number
            for p in stock_overview.batch_page(filters, TODAY(), 1, HERE).items] == ["GONE"]
    assert [b.batch_number for b in stock_queries.usable_batches(product.id, TODAY(), HERE)] == [
        "TODAY"]


@pytest.mark.parametrize("who, why", [("manager", "expiry disposal"),
                                      ("nurse", "opened remainder")])
def test_sealed_stock_cannot_be_wasted_unwitnessed_as_loose_volume(users, batch, who, why):
    """A batch of sealed ampoules has no loose volume: its whole contents entered as ml would
    be ten ampoules thrown away without a witness."""
    error = refused(InsufficientStock, lambda: stock.record_waste(
        users[who], batch.id, waste(volume_ul=20_000 if who == "manager" else 10_000, why=why)))
    assert error.field == "volume_ml"
    assert "holds 0 ml in opened containers" in error.message


def test_loose_volume_up_to_what_opened_containers_hold_is_wasted(users, batch, session):
    draw(users["nurse"], session, batch, 1_500)  # one ampoule opened, 0.5 ml left in it
    refused(InsufficientStock, lambda: stock.record_waste(
        users["manager"], batch.id, waste(volume_ul=501, why="opened remainder")))
    stock.record_waste(users["manager"], batch.id, waste(volume_ul=500, why="opened remainder"))
    assert batch.opened_ul == 0 and batch.sealed_containers == 9
