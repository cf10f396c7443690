"""Storage areas (D7): the temperature range a storage area keeps its products in, and where
received stock is kept (a storage area of the location receiving it)."""

from dataclasses import dataclass
from decimal import Decimal

from compliance.errors import InvalidInput

# The coldest and the warmest end a storage area's range may have, in °C: a medicines fridge
# keeps 2-8 °C and a cupboard room temperature, so a range beyond these is a slip of the
# keyboard (-300 for -3.0, 250 for 25.0).
LOWEST_TEMP_C = Decimal(-30)
HIGHEST_TEMP_C = Decimal(50)
# Ranges are kept to a tenth of a degree, as the column holds them.
TEMP_STEP_C = Decimal("0.1")


def temperature_problem(value: Decimal | None, which: str) -> str | None:
    """Why `value` cannot be the `which` ("lowest", "highest") end of a range, or None."""
    if value is None or not value.is_finite():
        return f"Enter the {which} temperature in °C."
    if not LOWEST_TEMP_C <= value <= HIGHEST_TEMP_C:
        return (f"Enter a {which} temperature from {LOWEST_TEMP_C} °C to "
                f"{HIGHEST_TEMP_C} °C.")
    if value != value.quantize(TEMP_STEP_C):
        return f"Enter the {which} temperature to {TEMP_STEP_C} °C."
    return None


def range_problem(min_c: Decimal | None, max_c: Decimal | None) -> tuple[str, str] | None:
    """(field, why) when `min_c`..`max_c` cannot be a storage area's range, else None."""
    for field, value, which in (("min_temp_c", min_c, "lowest"),
                                ("max_temp_c", max_c, "highest")):
        problem = temperature_problem(value, which)
        if problem:
            return field, problem
    if min_c >= max_c:
        return "max_temp_c", (f"The highest temperature must be above the lowest "
                              f"({min_c} °C).")
    return None

FIELD = "storage_area_id"


@dataclass(frozen=True)
class AreaFacts:
    """A storage area as the rule sees it."""

    id: int
    name: str
    location_id: int
    active: bool


def check_receiving_area(chosen: AreaFacts | None, location_id: int,
                         kept_in: AreaFacts | None) -> None:
    """A receipt goes into an area in use at the receiving location; a batch already held
    there (`kept_in`: the area its part is kept in, while that part holds stock in an area
    still in use) is received into the same area, so that the part stays in one place."""
    if chosen is None or chosen.location_id != location_id:
        raise InvalidInput("Choose a storage area of this location.", field=FIELD)
    if not chosen.active:
        raise InvalidInput(f"{chosen.name} is no longer in use: choose another storage area.",
                           field=FIELD)
    if kept_in is not None and kept_in.id != chosen.id:
        raise InvalidInput(f"This batch is already kept in {kept_in.name} here: receive these "
                           f"containers into {kept_in.name} too.", field=FIELD)
