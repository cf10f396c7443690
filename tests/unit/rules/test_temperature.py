"""Storage temperature rules (D7) on plain values: the range's ends are within it, a day
without a reading counts only once an area is watched, and no slip of the keyboard is kept."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from compliance.rules.temperature import (
    HIGHEST_PLAUSIBLE_C,
    LOWEST_PLAUSIBLE_C,
    OLDEST_READING_DAYS,
    ReadingFacts,
    days_without_reading,
    excursion_detail,
    last_day_watched,
    out_of_range,
    reading_problem,
    time_problem,
)
from tests.unit.rules.builders import ON, at

FRIDGE = (Decimal("2.0"), Decimal("8.0"))


@pytest.mark.parametrize("value", ["2.0", "5.2", "8.0"])
def test_a_reading_within_the_range_or_at_its_ends_is_in_range(value):
    assert not out_of_range(Decimal(value), *FRIDGE)


@pytest.mark.parametrize("value", ["1.9", "8.1", "-0.5", "27.5"])
def test_a_reading_beyond_either_end_is_out_of_range(value):
    assert out_of_range(Decimal(value), *FRIDGE)


@pytest.mark.parametrize("value", [LOWEST_PLAUSIBLE_C, 0, "5.2", HIGHEST_PLAUSIBLE_C])
def test_a_plausible_temperature_is_accepted(value):
    assert reading_problem(Decimal(value)) is None


@pytest.mark.parametrize("value", [LOWEST_PLAUSIBLE_C - Decimal("0.1"), "52.0e1", "999.9",
                                   "-273.2"])
def test_a_temperature_no_storage_area_can_read_is_refused_with_the_bounds(value):
    problem = reading_problem(Decimal(value))
    assert f"({LOWEST_PLAUSIBLE_C} to {HIGHEST_PLAUSIBLE_C} °C)" in problem


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999999"])
def test_a_value_that_is_no_temperature_is_refused_without_repeating_it(value):
    problem = reading_problem(Decimal(value))
    assert problem is not None and len(problem) < 200


def test_a_reading_cannot_be_taken_in_the_future():
    now = at(ON, 12)
    assert time_problem(now, now) is None
    assert "future" in time_problem(now + timedelta(minutes=1), now)


def test_a_reading_may_be_added_up_to_the_oldest_limit_and_not_before():
    now = at(ON, 12)
    assert time_problem(now - timedelta(days=OLDEST_READING_DAYS), now) is None
    assert f"{OLDEST_READING_DAYS} days" in time_problem(
        now - timedelta(days=OLDEST_READING_DAYS, seconds=1), now)


def test_no_day_is_missing_before_an_area_is_first_read():
    assert days_without_reading(None, ON, set()) == []


def test_the_days_without_a_reading_are_listed_from_the_first_reading_to_the_last_day():
    first = date(2026, 3, 1)
    days_with = {date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 4)}
    assert days_without_reading(first, date(2026, 3, 5), days_with) == [
        date(2026, 3, 3), date(2026, 3, 5)]


def test_a_first_reading_after_the_last_day_leaves_nothing_missing():
    assert days_without_reading(date(2026, 3, 6), date(2026, 3, 5), set()) == []


def test_the_watch_ends_yesterday_or_the_day_before_deactivation():
    yesterday = date(2026, 3, 20)
    assert last_day_watched(yesterday, None) == yesterday
    assert last_day_watched(yesterday, date(2026, 3, 10)) == date(2026, 3, 9)
    assert last_day_watched(yesterday, date(2026, 3, 25)) == yesterday


def test_an_excursion_names_each_of_a_few_readings_and_the_range():
    readings = [ReadingFacts(datetime(2026, 3, 1, 17, 30), Decimal("9.4")),
                ReadingFacts(datetime(2026, 3, 1, 9, 0), Decimal("1.5"))]
    assert excursion_detail(readings, *FRIDGE) == (
        "1.5 °C at 09:00, 9.4 °C at 17:30 (range 2.0 to 8.0 °C)")


def test_an_excursion_of_many_readings_says_how_many_and_their_extremes():
    start = datetime(2026, 3, 1, 14, 0)
    readings = [ReadingFacts(start + timedelta(minutes=15 * n), Decimal("8.1") + n)
                for n in range(5)]
    assert excursion_detail(readings, *FRIDGE) == (
        "5 readings out of range from 14:00 to 15:00, 8.1 °C to 12.1 °C "
        "(range 2.0 to 8.0 °C)")
