"""Storage temperatures (D7): which values a storage area can read at all, which readings are
out of the area's range, and which days went without a reading.

Temperatures are the exact decimals stored (°C, one decimal); times are given as the clinic
reads them (its local clock) or as UTC instants, as each function says.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# What a medicines fridge or cupboard can read (°C): outside it a value is a sensor's fault or
# a slip of the keyboard (52 for 5.2), never a temperature to keep.
LOWEST_PLAUSIBLE_C = -40
HIGHEST_PLAUSIBLE_C = 60
# How far back a reading may be added: a logger holds months, not years, and the days without a
# reading are counted from an area's first one.
OLDEST_READING_DAYS = 366
# An excursion's detail names each reading up to this many; beyond, it sums them up.
READINGS_NAMED = 3


@dataclass(frozen=True)
class ReadingFacts:
    """A reading as an excursion's detail names it: its clinic-local time and value."""

    taken_at: datetime  # clinic-local
    temperature_c: object  # a Decimal: the rules compare and print it, never convert it


def degrees(value) -> str:
    """A temperature as people write it: "5.0 °C", "-2.5 °C"."""
    return f"{value:.1f} °C"


def range_words(min_c, max_c) -> str:
    return f"{min_c:.1f} to {max_c:.1f} °C"


def reading_problem(temperature_c) -> str | None:
    """Why `temperature_c` cannot be a reading of a storage area, or None."""
    if temperature_c != temperature_c:  # NaN is the only value unequal to itself
        return "Enter a temperature in °C, such as 5.2."
    if not LOWEST_PLAUSIBLE_C <= temperature_c <= HIGHEST_PLAUSIBLE_C:
        # A value of a million digits is not repeated back.
        shown = degrees(temperature_c) if -1000 < temperature_c < 1000 else "That"
        return (f"{shown} is outside what a storage area can read ({LOWEST_PLAUSIBLE_C} to "
                f"{HIGHEST_PLAUSIBLE_C} °C): check the thermometer or the logger.")
    return None


def time_problem(taken_at: datetime, now: datetime) -> str | None:
    """Why a reading cannot have been taken at `taken_at` (UTC) when it is `now`, or None."""
    if taken_at > now:
        return "A reading cannot be taken in the future: check the date and time."
    if taken_at < now - timedelta(days=OLDEST_READING_DAYS):
        return (f"A reading more than {OLDEST_READING_DAYS} days old cannot be added: check "
                "the date.")
    return None


def out_of_range(temperature_c, min_c, max_c) -> bool:
    """Whether a reading lies outside its area's range; the range's ends are within it."""
    return not min_c <= temperature_c <= max_c


def days_without_reading(first_reading_on: date | None, until: date,
                         days_with: set[date]) -> list[date]:
    """The clinic days from the area's first reading up to `until` (yesterday, or the day
    before the area or its location was deactivated) with no reading, oldest first; none
    before the first reading, which is when the area began to be watched."""
    if first_reading_on is None:
        return []
    span = (until - first_reading_on).days + 1
    days = (first_reading_on + timedelta(days=n) for n in range(max(0, span)))
    return [day for day in days if day not in days_with]


def last_day_watched(yesterday: date, deactivated_on: date | None) -> date:
    """The last day a reading is expected: yesterday, or the day before the area (or its
    location) was deactivated, which ends the watch."""
    if deactivated_on is None:
        return yesterday
    return min(yesterday, deactivated_on - timedelta(days=1))


def excursion_detail(readings: list[ReadingFacts], min_c, max_c) -> str:
    """What an out-of-range day says: each reading, or how many and their extremes."""
    readings = sorted(readings, key=lambda reading: reading.taken_at)
    allowed = f"(range {range_words(min_c, max_c)})"
    if len(readings) <= READINGS_NAMED:
        said = ", ".join(f"{degrees(r.temperature_c)} at {r.taken_at:%H:%M}" for r in readings)
        return f"{said} {allowed}"
    values = [reading.temperature_c for reading in readings]
    return (f"{len(readings)} readings out of range from {readings[0].taken_at:%H:%M} to "
            f"{readings[-1].taken_at:%H:%M}, {degrees(min(values))} to {degrees(max(values))} "
            f"{allowed}")
