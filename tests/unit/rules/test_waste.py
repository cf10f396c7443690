"""Waste on plain values (D2): what is witnessed, and what an opened remainder may be."""

import pytest

from compliance.errors import InsufficientStock, InvalidInput
from compliance.rules.waste import WASTE_REASONS, check_loose_volume, check_waste, needs_witness


def test_any_sealed_container_is_witnessed_and_loose_volume_is_not():
    assert needs_witness(1) and needs_witness(12)
    assert not needs_witness(0)


@pytest.mark.parametrize("why", WASTE_REASONS)
def test_every_reason_may_waste_loose_volume(why):
    check_waste(why, 0, 500)


@pytest.mark.parametrize("why", ["breakage", "expiry disposal", "other"])
def test_sealed_containers_are_wasted_as_breakage_expiry_disposal_or_other(why):
    check_waste(why, 2, 0)


@pytest.mark.parametrize("why, containers, volume_ul, field, message", [
    ("opened remainder", 1, 0, "containers",
     "An opened remainder is loose volume: enter it in ml, and record sealed containers as "
     "breakage, expiry disposal or other."),
    ("spilt", 0, 500, "waste_reason", "Choose why the stock was wasted."),
    ("", 0, 500, "waste_reason", "Choose why the stock was wasted."),
    ("breakage", 0, 0, "containers", "Enter the containers or volume wasted."),
    ("breakage", -1, 2_500, "containers", "Enter the containers or volume wasted."),
    ("other", 0, -1, "containers", "Enter the containers or volume wasted."),
])
def test_waste_that_cannot_be_recorded_is_refused(why, containers, volume_ul, field, message):
    with pytest.raises(InvalidInput) as refusal:
        check_waste(why, containers, volume_ul)
    assert (refusal.value.field, refusal.value.message) == (field, message)


def test_loose_volume_wasted_is_at_most_what_opened_containers_hold():
    check_loose_volume(500, 500, "Batch B1")
    with pytest.raises(InsufficientStock, match="Batch B1 holds 0.5 ml in opened containers"):
        check_loose_volume(501, 500, "Batch B1")
