"""A UTC time's clinic day, converted once per quarter-hour (issue 17), is the day a direct
conversion gives, in zones whose offsets are whole, half and three-quarter hours, across
their changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from compliance.services.temperature_queries import clinic_day

ZONES = [ZoneInfo(name) for name in ("Europe/London", "Asia/Kolkata", "Asia/Kathmandu",
                                     "America/St_Johns", "Australia/Lord_Howe", "UTC")]


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),
       st.sampled_from(ZONES))
def test_the_day_a_direct_conversion_gives(moment, zone):
    expected = moment.replace(tzinfo=UTC).astimezone(zone).date()
    assert clinic_day(moment, zone) == expected
    assert clinic_day(moment.replace(tzinfo=UTC), zone) == expected


def test_either_side_of_london_midnight_in_summer():
    london = ZoneInfo("Europe/London")
    assert clinic_day(datetime(2026, 7, 1, 22, 59, 59), london).day == 1
    assert clinic_day(datetime(2026, 7, 1, 23, 0), london).day == 2
