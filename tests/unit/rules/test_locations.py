"""Deactivating a location (D7), as a pure rule: never the last active one, never one that
holds stock or has transfers in transit to or from it."""

from dataclasses import replace

import pytest

from compliance.errors import InvalidInput
from compliance.rules.locations import Closing, check_closing
from tests.unit.rules.builders import refusal


def closing(**changes) -> Closing:
    return replace(Closing(name="Harbour Street", other_active_locations=1, batches_held="",
                           transfers_in_transit=0), **changes)


def test_a_location_with_nothing_held_or_moving_is_deactivated():
    check_closing(closing())
    check_closing(closing(other_active_locations=3))


@pytest.mark.parametrize("changes, words", [
    ({"other_active_locations": 0}, "Harbour Street is the only active location"),
    ({"batches_held": "batch TRF-204"}, "still holds stock of batch TRF-204"),
    ({"transfers_in_transit": 1}, "Harbour Street has 1 transfer in transit to or from it: "
                                  "it must be received or cancelled first."),
    ({"transfers_in_transit": 3}, "Harbour Street has 3 transfers in transit to or from it: "
                                  "they must be received or cancelled first."),
])
def test_deactivating_is_refused(changes, words):
    assert words in refusal(InvalidInput, check_closing, closing(**changes)).message


def test_stock_still_held_is_named_before_what_is_in_transit():
    error = refusal(InvalidInput, check_closing,
                    closing(batches_held="batch TRF-204", transfers_in_transit=2))
    assert "still holds stock" in error.message
