"""A storage area's temperature range (D7), and who may add and change locations: a group-wide
manager adds them, a manager who works at one changes it."""

from decimal import Decimal

import pytest

from compliance.extensions import db
from compliance.models.location import FIRST_LOCATION_ID, Location
from compliance.permissions import can
from compliance.rules.storage import range_problem
from tests.factories import make_user
from tests.location_helpers import add_location, working_at


@pytest.mark.parametrize(("low", "high"), [("2", "8"), ("15", "25"), ("-30", "50"),
                                           ("-20.5", "-15.0"), ("2.0", "2.1")])
def test_a_sensible_range_is_accepted(low, high):
    assert range_problem(Decimal(low), Decimal(high)) is None


@pytest.mark.parametrize(("low", "high", "field", "words"), [
    (None, "8", "min_temp_c", "Enter the lowest temperature"),
    ("2", None, "max_temp_c", "Enter the highest temperature"),
    ("NaN", "8", "min_temp_c", "Enter the lowest temperature"),
    ("-30.1", "8", "min_temp_c", "from -30 °C to 50 °C"),
    ("2", "50.1", "max_temp_c", "from -30 °C to 50 °C"),
    ("2", "1E+9", "max_temp_c", "from -30 °C to 50 °C"),
    ("2.05", "8", "min_temp_c", "to 0.1 °C"),
    ("8", "8", "max_temp_c", "above the lowest"),
    ("8", "2", "max_temp_c", "above the lowest"),
])
def test_a_range_that_cannot_be_meant_is_refused_naming_its_field(low, high, field, words):
    problem = range_problem(Decimal(low) if low else None, Decimal(high) if high else None)
    assert problem is not None and problem[0] == field and words in problem[1]


def test_only_a_group_wide_manager_adds_a_location(app):
    assert can(make_user("manager"), "create_location")
    assert not can(make_user("manager", all_locations=False), "create_location")
    assert not can(make_user("inspector"), "create_location")  # group-wide, but not a manager


def test_a_manager_changes_only_a_location_they_work_at(app):
    group = make_user("manager")
    other = add_location(group)
    local = working_at("manager", FIRST_LOCATION_ID)
    first = db.session.get(Location, FIRST_LOCATION_ID)
    assert can(local, "edit_location") and can(local, "edit_location", first)
    assert not can(local, "edit_location", other)
    assert not can(local, "edit_location", other.storage_areas[0])
    assert can(group, "edit_location", other.storage_areas[0])
    assert not can(working_at("nurse", other), "edit_location", other)
