"""Transfers between locations (D7): sealed containers leave the sender's part of a batch,
stay in transit, and come in at the receiver (a different count its own reasoned entry) or
back at the sender; each refusal writes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from compliance import locations
from compliance.clock import local_today
from compliance.errors import (
    BatchExpired,
    BatchQuarantined,
    BatchRecalled,
    InsufficientStock,
    InvalidInput,
    NotAtLocation,
    NotPermitted,
    TransferRefusal,
)
from compliance.extensions import db
from compliance.models import BatchStock, Location, StorageArea, Transfer
from compliance.models.transfer import TRANSFER_DIFFERENCE, TRANSFER_IN, TRANSFER_OUT
from compliance.rules.transfers import CANCELLED, IN_TRANSIT, RECEIVED
from compliance.services import location_admin, stock, storage_areas, transfers
from tests.audit_helpers import changes, events, execute_raw
from tests.factories import make_product, make_user, receive_batch
from tests.stock_helpers import assert_balance_is_ledger_sum, ledger_state
from tests.transfer_helpers import (
    MAIN,
    area,
    assert_parts_and_transit_add_up,
    parts,
    second_location,
    send,
    user_at,
)


@pytest.fixture
def group(app):
    """Two locations, a manager and a nurse at each, and a batch of 10 at the main clinic."""
    harbour = second_location()
    people = {"main_manager": user_at("manager", MAIN), "main_nurse": user_at("nurse", MAIN),
              "harbour_manager": user_at("manager", harbour.id),
              "harbour_nurse": user_at("nurse", harbour.id)}
    batch = receive_batch(people["main_manager"], make_product(), containers=10)
    return dict(people, harbour=harbour, batch=batch)


def arrival(count: int, storage, reason: str = "") -> transfers.Arrival:
    return transfers.Arrival(count, storage.id if storage else None, reason)


def writes() -> tuple:
    """Ledger, balances and transfers: equal before and after means nothing was written."""
    rows = db.session.execute(select(Transfer.id, Transfer.status, Transfer.containers_received)
                              .order_by(Transfer.id)).all()
    return ledger_state(), [tuple(row) for row in rows]


def test_sending_takes_containers_out_of_the_senders_part_into_transit(group):
    harbour, batch = group["harbour"], group["batch"]
    transfer = send(group["main_manager"], batch, harbour, 3, "Harbour Street runs low")
    assert transfer.status == IN_TRANSIT and transfer.from_location_id == MAIN
    entry = transfer.sent_entry
    assert (entry.entry_type, entry.quantity_ul, entry.containers, entry.location_id) == (
        TRANSFER_OUT, -6_000, -3, MAIN)
    assert entry.reason == "To Harbour Street: Harbour Street runs low"
    assert parts(batch.id) == {MAIN: (14_000, 7)}
    assert batch.balance_ul == 14_000 and batch.in_transit_ul == 6_000
    assert batch.status() == "available"
    assert_parts_and_transit_add_up(batch.id)
    assert_balance_is_ledger_sum(batch)


def test_a_short_receipt_posts_what_was_sent_in_and_the_difference_with_its_reason(group):
    harbour, batch = group["harbour"], group["batch"]
    transfer = send(group["main_manager"], batch, harbour, 3)
    received = transfers.receive(group["harbour_nurse"], transfer.id,
                                 arrival(2, area(harbour, "Fridge"), "One ampoule cracked"))
    assert received.status == RECEIVED and received.containers_received == 2
    assert received.received_by_id == group["harbour_nurse"].id
    arrived, difference = received.received_entry, received.difference_entry
    assert (arrived.entry_type, arrived.quantity_ul, arrived.containers,
            arrived.location_id) == (TRANSFER_IN, 6_000, 3, harbour.id)
    assert (difference.entry_type, difference.quantity_ul, difference.containers,
            difference.location_id) == (TRANSFER_DIFFERENCE, -2_000, -1, harbour.id)
    assert difference.reason == f"Transfer {transfer.id}: One ampoule cracked"
    assert parts(batch.id) == {MAIN: (14_000, 7), harbour.id: (4_000, 2)}
    assert received.storage_area.name == "Fridge"
    db.session.refresh(batch)
    assert batch.in_transit_ul == 0 and batch.transfer_difference_total_ul == -2_000
    assert batch.waste_total_ul == 0 and batch.adjustment_total_ul == 0
    assert_parts_and_transit_add_up(batch.id)
    assert_balance_is_ledger_sum(batch)


def test_a_count_matching_what_was_sent_posts_no_difference(group):
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 2)
    received = transfers.receive(group["harbour_manager"], transfer.id,
                                 arrival(2, area(group["harbour"], "Cupboard")))
    assert received.difference_entry is None and received.difference_reason is None


def test_more_counted_than_sent_comes_in_as_a_positive_difference(group):
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 2)
    received = transfers.receive(group["harbour_manager"], transfer.id, arrival(
        3, area(group["harbour"], "Cupboard"), "An extra ampoule was packed"))
    assert received.difference_entry.containers == 1
    assert_parts_and_transit_add_up(group["batch"].id)


def test_cancelling_before_receipt_puts_the_containers_back_at_the_sender(group):
    batch = group["batch"]
    transfer = send(group["main_manager"], batch, group["harbour"], 4)
    cancelled = transfers.cancel(group["main_manager"], transfer.id, "Courier did not come")
    back = cancelled.returned_entry
    assert cancelled.status == CANCELLED and cancelled.cancellation_reason == "Courier did not come"
    assert (back.entry_type, back.containers, back.location_id) == (TRANSFER_IN, 4, MAIN)
    assert parts(batch.id) == {MAIN: (20_000, 10)}
    assert_parts_and_transit_add_up(batch.id)


def test_a_recalled_batch_in_transit_still_arrives_or_goes_back(group):
    batch = group["batch"]
    first = send(group["main_manager"], batch, group["harbour"], 2)
    second = send(group["main_manager"], batch, group["harbour"], 2)
    stock.change_state(group["main_manager"], batch.id, "recall", "Supplier recall notice")
    transfers.receive(group["harbour_manager"], first.id,
                      arrival(2, area(group["harbour"], "Fridge")))
    transfers.cancel(group["main_manager"], second.id, "Recalled: keep it here")
    assert_parts_and_transit_add_up(batch.id)


def _sending_refusals(group):
    batch, harbour, manager = group["batch"], group["harbour"], group["main_manager"]
    inactive = Location(name="Old Road", address="1 Old Road", active=False)
    db.session.add(inactive)
    db.session.commit()
    return {
        "short": (InsufficientStock, lambda: send(manager, batch, harbour, 11)),
        "nothing held here": (InsufficientStock, lambda: send(group["harbour_manager"], batch,
                                                                db.session.get(Location, MAIN), 1)),
        "same place": (TransferRefusal, lambda: send(manager, batch,
                                                      db.session.get(Location, MAIN), 1)),
        "inactive": (TransferRefusal, lambda: send(manager, batch, inactive, 1)),
        "no reason": (InvalidInput, lambda: send(manager, batch, harbour, 1, "  ")),
        "nurse": (NotPermitted, lambda: send(group["main_nurse"], batch, harbour, 1)),
        "no such batch": (InvalidInput, lambda: transfers.send(manager, transfers.Sending(
            2**31 - 1, harbour.id, 1, "why"))),
        "no such place": (InvalidInput, lambda: transfers.send(manager, transfers.Sending(
            batch.id, 2**31 - 1, 1, "why"))),
    }


def test_each_refused_send_writes_nothing(group):
    for name, (error_class, attempt) in _sending_refusals(group).items():
        before = writes()
        with pytest.raises(error_class):
            attempt()
        assert writes() == before, name


@pytest.mark.parametrize("state, error_class", [("quarantine", BatchQuarantined),
                                                ("recall", BatchRecalled)])
def test_a_quarantined_or_recalled_batch_is_not_sent(group, state, error_class):
    stock.change_state(group["main_manager"], group["batch"].id, state, "Fridge alarm")
    before = writes()
    with pytest.raises(error_class):
        send(group["main_manager"], group["batch"], group["harbour"], 1)
    assert writes() == before


def test_an_expired_batch_is_not_sent(group):
    yesterday = local_today() - timedelta(days=1)
    execute_raw("UPDATE batches SET expires_on = :d WHERE id = :id", d=yesterday,
                id=group["batch"].id)
    before = writes()
    with pytest.raises(BatchExpired):
        send(group["main_manager"], group["batch"], group["harbour"], 1)
    assert writes() == before


def test_each_refused_receipt_writes_nothing(group):
    harbour = group["harbour"]
    transfer = send(group["main_manager"], group["batch"], harbour, 3)
    fridge, main_area = area(harbour, "Fridge"), db.session.get(Location, MAIN).storage_areas[0]
    attempts = {
        "at the sender": (NotAtLocation, group["main_nurse"], arrival(3, fridge)),
        "elsewhere": (NotAtLocation, user_at("manager", second_location("West End").id),
                      arrival(3, fridge)),
        "no reason": (InvalidInput, group["harbour_nurse"], arrival(2, fridge)),
        "another's area": (InvalidInput, group["harbour_nurse"], arrival(3, main_area)),
        "no area": (InvalidInput, group["harbour_nurse"], arrival(3, None)),
        "negative": (InvalidInput, group["harbour_nurse"], arrival(-1, fridge, "why")),
    }
    for name, (error_class, who, what) in attempts.items():
        before = writes()
        with pytest.raises(error_class):
            transfers.receive(who, transfer.id, what)
        assert writes() == before, name


def test_a_user_working_at_the_receiver_receives_whichever_location_is_current(group):
    """Assigned to the main clinic and West End, her current location is the main clinic
    (the first by name): what arrived at West End still comes in at West End."""
    west = second_location("West End")
    nurse = user_at("nurse", MAIN, west.id)
    assert locations.acting_location_id(nurse) == MAIN
    transfer = send(group["main_manager"], group["batch"], west, 2)
    received = transfers.receive(nurse, transfer.id, arrival(2, area(west, "Fridge")))
    assert received.status == RECEIVED and received.received_entry.location_id == west.id
    assert parts(group["batch"].id) == {MAIN: (16_000, 8), west.id: (4_000, 2)}
    assert_parts_and_transit_add_up(group["batch"].id)


def test_a_group_wide_manager_receives_and_cancels_whichever_location_is_current(group):
    """Acting at Harbour Street (the first by name), a group manager receives at West End and
    cancels back into the main clinic: each entry at the transfer's own end."""
    west, batch = second_location("West End"), group["batch"]
    manager = make_user("manager")
    assert locations.acting_location_id(manager) == group["harbour"].id
    first, second = (send(group["main_manager"], batch, west, n) for n in (2, 3))
    received = transfers.receive(manager, first.id, arrival(2, area(west, "Cupboard")))
    cancelled = transfers.cancel(manager, second.id, "West End has enough")
    assert received.received_entry.location_id == west.id
    assert cancelled.returned_entry.location_id == MAIN
    assert parts(batch.id) == {MAIN: (16_000, 8), west.id: (4_000, 2)}
    assert_parts_and_transit_add_up(batch.id)


def test_neither_end_of_a_transfer_in_transit_is_deactivated(group):
    """Everything sent, the main clinic holds nothing, yet neither end closes until what is
    in transit is received; each refusal writes nothing."""
    harbour, manager = group["harbour"], make_user("manager")
    transfer = send(group["main_manager"], group["batch"], harbour, 10)
    for location_id in (MAIN, harbour.id):
        before = writes(), len(events(table_name="locations"))
        with pytest.raises(InvalidInput, match="has 1 transfer in transit to or from it: it "
                                               "must be received or cancelled first"):
            location_admin.deactivate_location(manager, location_id, "Closing")
        assert (writes(), len(events(table_name="locations"))) == before
        db.session.expire_all()
        assert db.session.get(Location, location_id).active
    transfers.receive(group["harbour_nurse"], transfer.id, arrival(10, area(harbour, "Fridge")))
    assert not location_admin.deactivate_location(manager, MAIN, "Moved to Harbour").active


def _area_of_the_part(batch_id: int, location_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(StorageArea.name).join(
        BatchStock, BatchStock.storage_area_id == StorageArea.id).where(
        BatchStock.batch_id == batch_id, BatchStock.location_id == location_id))


def test_a_cancelled_transfer_comes_back_into_an_area_in_use_not_the_emptied_one(group):
    """All ten sent, the main clinic's drug cupboard stands empty and is taken out of use for
    a new fridge: the ten coming back go into the fridge, not the cupboard."""
    manager, batch = make_user("manager"), group["batch"]
    transfer = send(group["main_manager"], batch, group["harbour"], 10)
    cupboard = db.session.get(Location, MAIN).storage_areas[0]
    assert _area_of_the_part(batch.id, MAIN) == cupboard.name
    storage_areas.add_storage_area(manager, MAIN, storage_areas.AreaDetails(
        "New fridge", "medicines fridge", Decimal(2), Decimal(8)))
    storage_areas.deactivate_storage_area(manager, cupboard.id, "Replaced by the fridge")
    transfers.cancel(group["main_manager"], transfer.id, "Courier did not come")
    assert _area_of_the_part(batch.id, MAIN) == "New fridge"
    assert parts(batch.id)[MAIN] == (20_000, 10)
    assert_parts_and_transit_add_up(batch.id)


def test_a_transfer_is_received_once(group):
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 3)
    fridge = area(group["harbour"], "Fridge")
    transfers.receive(group["harbour_nurse"], transfer.id, arrival(3, fridge))
    before = writes()
    with pytest.raises(TransferRefusal, match="already been received"):
        transfers.receive(group["harbour_manager"], transfer.id, arrival(3, fridge))
    with pytest.raises(TransferRefusal):
        transfers.cancel(group["main_manager"], transfer.id, "Too late")
    assert writes() == before


def test_a_batch_kept_at_the_receiver_goes_into_the_same_storage_area(group):
    harbour = group["harbour"]
    first = send(group["main_manager"], group["batch"], harbour, 2)
    transfers.receive(group["harbour_nurse"], first.id, arrival(2, area(harbour, "Fridge")))
    second = send(group["main_manager"], group["batch"], harbour, 2)
    before = writes()
    with pytest.raises(TransferRefusal, match="keeps this batch in Fridge"):
        transfers.receive(group["harbour_nurse"], second.id,
                          arrival(2, area(harbour, "Cupboard")))
    assert writes() == before


def test_each_refused_cancellation_writes_nothing(group):
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 3)
    attempts = {
        "at the receiver": (NotAtLocation, group["harbour_manager"], "Not needed"),
        "a prescriber": (NotPermitted, group["main_nurse"], "Not needed"),
        "no reason": (InvalidInput, group["main_manager"], ""),
    }
    for name, (error_class, who, reason) in attempts.items():
        before = writes()
        with pytest.raises(error_class):
            transfers.cancel(who, transfer.id, reason)
        assert writes() == before, name
    transfers.cancel(group["main_manager"], transfer.id, "Not needed")
    with pytest.raises(TransferRefusal, match="cancelled"):
        transfers.receive(group["harbour_nurse"], transfer.id,
                          arrival(3, area(group["harbour"], "Fridge")))


def test_an_inspector_neither_sends_receives_nor_cancels(group):
    inspector = user_at("inspector", group["harbour"].id)
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 1)
    for attempt in (lambda: send(inspector, group["batch"], group["harbour"], 1),
                    lambda: transfers.receive(inspector, transfer.id,
                                              arrival(1, area(group["harbour"], "Fridge"))),
                    lambda: transfers.cancel(inspector, transfer.id, "no")):
        with pytest.raises(NotPermitted):
            attempt()


def test_a_batch_split_across_two_locations_keeps_exact_balances(group):
    """Receipts, a transfer received one short, a return and an adjustment at the receiver,
    a cancelled transfer: every part, the batch and the ledger agree at each step. (Draws,
    waste and stocktakes per location: tests/unit/test_transfer_concurrency.py and the stock
    tests.)"""
    harbour, batch, main_manager = group["harbour"], group["batch"], group["main_manager"]
    receive_batch(main_manager, batch.product, containers=2)  # the same batch: 12 at main
    first = send(main_manager, batch, harbour, 5)
    assert_parts_and_transit_add_up(batch.id)
    transfers.receive(group["harbour_nurse"], first.id,
                      arrival(4, area(harbour, "Fridge"), "One missing from the box"))
    assert parts(batch.id) == {MAIN: (14_000, 7), harbour.id: (8_000, 4)}
    stock.record_return(group["harbour_manager"], batch.id, 1, "Damaged label")
    second = send(main_manager, batch, harbour, 3)
    assert parts(batch.id)[MAIN] == (8_000, 4)
    transfers.cancel(main_manager, second.id, "Harbour Street has enough")
    stock.adjust(group["harbour_manager"], batch.id, -1, "Found broken in the fridge")
    assert parts(batch.id) == {MAIN: (14_000, 7), harbour.id: (4_000, 2)}
    db.session.refresh(batch)
    assert (batch.balance_ul, batch.sealed_containers, batch.in_transit_ul) == (18_000, 9, 0)
    assert_parts_and_transit_add_up(batch.id)
    assert_balance_is_ledger_sum(batch)


def test_transfers_are_audited_with_their_reasons(group):
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 3, "Restock")
    created = events(table_name="transfers", record_id=str(transfer.id), action="create")
    assert len(created) == 1 and created[0].reason == "Restock"
    assert changes(created[0])["containers_sent"] == [None, 3]
    assert created[0].actor_id == group["main_manager"].id
    transfers.receive(group["harbour_nurse"], transfer.id,
                      arrival(2, area(group["harbour"], "Fridge"), "One broken"))
    received = events(table_name="transfers", record_id=str(transfer.id), action="update")
    assert len(received) == 1 and received[0].reason == "One broken"
    assert changes(received[0])["status"] == [IN_TRANSIT, RECEIVED]
    assert changes(received[0])["containers_received"] == [None, 2]
    assert received[0].actor_id == group["harbour_nurse"].id


def test_a_cancellation_is_audited_with_its_reason(group):
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 1)
    transfers.cancel(group["main_manager"], transfer.id, "Wrong batch picked")
    cancelled = events(table_name="transfers", record_id=str(transfer.id), action="update")[-1]
    assert changes(cancelled)["status"] == [IN_TRANSIT, CANCELLED]
    assert cancelled.reason == "Wrong batch picked"


def test_a_refused_transfer_is_a_refused_attempt_on_the_trail(group):
    with pytest.raises(InsufficientStock):
        send(group["main_manager"], group["batch"], group["harbour"], 99)
    refused = events(action="refused")[-1]
    assert refused.rule == InsufficientStock.rule and "send a transfer" in refused.detail


def test_the_stock_check_holds_through_transfers_and_finds_a_transfer_tampered_with(
        group, runner):
    transfer = send(group["main_manager"], group["batch"], group["harbour"], 3)
    result = runner.invoke(args=["stock", "check"])
    assert result.exit_code == 0, result.output
    assert "in transit" in result.output
    execute_raw("UPDATE transfers SET status = 'received' WHERE id = :id", id=transfer.id)
    result = runner.invoke(args=["stock", "check"])
    assert result.exit_code == 1
    assert f"batch {group['batch'].id}: parts + in transit" in result.output
    count = db.session.scalar(select(func.count()).select_from(Transfer))
    assert count == 1
