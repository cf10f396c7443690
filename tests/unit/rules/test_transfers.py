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
    check_receipt(transfer(), HARBOUR.id, 3, "")


def test_a_count_that_differs_needs_a_reason():
    error = refusal(InvalidInput, check_receipt, transfer(), HARBOUR.id, 2, "")
    assert error.field == "difference_reason" and "(-1)" in error.message
    check_receipt(transfer(), HARBOUR.id, 2, "One ampoule broken in the box")
    check_receipt(transfer(), HARBOUR.id, 4, "One more than the note said")


@pytest.mark.parametrize("count", [-1, None, MAX_CONTAINERS + 1])
def test_a_count_that_cannot_be_is_refused(count):
    error = refusal(InvalidInput, check_receipt, transfer(), HARBOUR.id, count, "why")
    assert error.field == "containers_received"


def test_only_a_user_at_the_receiving_location_receives():
    refusal(NotAtLocation, check_receipt, transfer(), MAIN.id, 3, "")


@pytest.mark.parametrize("status", [RECEIVED, CANCELLED])
def test_a_transfer_is_received_once_and_never_after_cancelling(status):
    refusal(TransferRefusal, check_receipt, transfer(status=status), HARBOUR.id, 3, "")


def test_cancelling_is_at_the_sending_location_before_receipt_with_a_reason():
    check_cancel(transfer(), MAIN.id, "Harbour Street closed for the week")
    refusal(NotAtLocation, check_cancel, transfer(), HARBOUR.id, "wrong place")
    refusal(TransferRefusal, check_cancel, transfer(status=RECEIVED), MAIN.id, "too late")
    refusal(TransferRefusal, check_cancel, transfer(status=CANCELLED), MAIN.id, "twice")
    assert refusal(InvalidInput, check_cancel, transfer(), MAIN.id, "").field == "reason"


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
