"""Transfers between locations (D7): sending, receiving and cancelling, as pure rules."""

from dataclasses import replace

import pytest

from compliance.errors import (
    BatchExpired,
    BatchQuarantined,
    BatchRecalled,
    InsufficientStock,
    InvalidInput,
    NotAtLocation,
    TransferRefusal,
)
from compliance.rules.transfers import (
    CANCELLED,
    IN_TRANSIT,
    MAX_CONTAINERS,
    RECEIVED,
    Place,
    Sending,
    TransferFacts,
    check_cancel,
    check_receipt,
    check_send,
    check_storage_area,
)
from tests.unit.rules.builders import ON, batch, refusal

MAIN, HARBOUR = Place(1, "Main clinic"), Place(2, "Harbour Street")
FRIDGE = Place(7, "Fridge", location_id=HARBOUR.id)
# Where the acting user works: the receiving location, the sending one, or both (a group-wide
# user, or one assigned to both), whichever of them is their current location.
AT_HARBOUR, AT_MAIN = frozenset({HARBOUR.id}), frozenset({MAIN.id})
AT_BOTH = AT_HARBOUR | AT_MAIN


def sending(**changes) -> Sending:
    return replace(Sending(batch=batch(), from_location_id=MAIN.id, destination=HARBOUR,
                           sealed_here=5, containers=2), **changes)


def transfer(**changes) -> TransferFacts:
    return replace(TransferFacts(status=IN_TRANSIT, containers_sent=3, sender=MAIN,
                                 receiver=HARBOUR), **changes)


def test_a_usable_batch_is_sent_to_another_active_location():
    check_send(sending(), ON)
    check_send(sending(containers=5), ON)  # everything the location holds


@pytest.mark.parametrize("changes, error_class, field", [
    ({"batch": batch(recalled=True)}, BatchRecalled, "batch_id"),
    ({"batch": batch(quarantined=True)}, BatchQuarantined, "batch_id"),
    ({"batch": batch(expires_on=ON.replace(day=ON.day - 1))}, BatchExpired, "batch_id"),
    ({"containers": 6}, InsufficientStock, "containers"),
    ({"sealed_here": 0}, InsufficientStock, "containers"),
    ({"destination": MAIN}, TransferRefusal, "to_location_id"),
    ({"destination": replace(HARBOUR, active=False)}, TransferRefusal, "to_location_id"),
    ({"destination": None}, InvalidInput, "to_location_id"),
    ({"containers": 0}, InvalidInput, "containers"),
    ({"containers": -1}, InvalidInput, "containers"),
    ({"containers": None}, InvalidInput, "containers"),
    ({"containers": MAX_CONTAINERS + 1, "sealed_here": MAX_CONTAINERS + 5}, InvalidInput,
     "containers"),
])
def test_sending_is_refused(changes, error_class, field):
    error = refusal(error_class, check_send, sending(**changes), ON)
    assert error.field == field


def test_a_batch_is_sent_on_its_expiry_date_but_not_the_day_after():
    check_send(sending(batch=batch(expires_on=ON)), ON)


def test_the_count_that_matches_what_was_sent_needs_no_reason():
    check_receipt(transfer(), AT_HARBOUR, 3, "")


def test_a_count_that_differs_needs_a_reason():
    error = refusal(InvalidInput, check_receipt, transfer(), AT_HARBOUR, 2, "")
    assert error.field == "difference_reason" and "(-1)" in error.message
    check_receipt(transfer(), AT_HARBOUR, 2, "One ampoule broken in the box")
    check_receipt(transfer(), AT_HARBOUR, 4, "One more than the note said")


@pytest.mark.parametrize("count", [-1, None, MAX_CONTAINERS + 1])
def test_a_count_that_cannot_be_is_refused(count):
    error = refusal(InvalidInput, check_receipt, transfer(), AT_HARBOUR, count, "why")
    assert error.field == "containers_received"


def test_only_a_user_working_at_the_receiving_location_receives():
    error = refusal(NotAtLocation, check_receipt, transfer(), AT_MAIN, 3, "")
    assert error.message == "What arrived is confirmed by a user working at Harbour Street."
    refusal(NotAtLocation, check_receipt, transfer(), frozenset(), 3, "")


def test_a_user_working_at_both_ends_receives_and_cancels_whichever_is_current():
    check_receipt(transfer(), AT_BOTH, 3, "")
    check_cancel(transfer(), AT_BOTH, "Sent to the wrong clinic")


@pytest.mark.parametrize("status", [RECEIVED, CANCELLED])
def test_a_transfer_is_received_once_and_never_after_cancelling(status):
    refusal(TransferRefusal, check_receipt, transfer(status=status), AT_HARBOUR, 3, "")


def test_cancelling_is_by_the_sending_location_before_receipt_with_a_reason():
    check_cancel(transfer(), AT_MAIN, "Harbour Street closed for the week")
    error = refusal(NotAtLocation, check_cancel, transfer(), AT_HARBOUR, "wrong place")
    assert error.message == "A transfer is cancelled by a manager working at Main clinic."
    refusal(TransferRefusal, check_cancel, transfer(status=RECEIVED), AT_MAIN, "too late")
    refusal(TransferRefusal, check_cancel, transfer(status=CANCELLED), AT_MAIN, "twice")
    assert refusal(InvalidInput, check_cancel, transfer(), AT_MAIN, "").field == "reason"


def test_what_arrives_goes_into_an_active_storage_area_of_the_receiving_location():
    check_storage_area(FRIDGE, HARBOUR, None)
    check_storage_area(FRIDGE, HARBOUR, FRIDGE)
    refusal(InvalidInput, check_storage_area, None, HARBOUR, None)
    refusal(InvalidInput, check_storage_area, replace(FRIDGE, location_id=MAIN.id), HARBOUR,
            None)
    refusal(InvalidInput, check_storage_area, replace(FRIDGE, active=False), HARBOUR, None)


def test_a_batch_already_kept_at_the_location_goes_into_the_same_storage_area():
    cupboard = Place(8, "Cupboard", location_id=HARBOUR.id)
    error = refusal(TransferRefusal, check_storage_area, FRIDGE, HARBOUR, cupboard)
    assert "Cupboard" in error.message and error.field == "storage_area_id"
