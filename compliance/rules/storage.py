"""Storage areas (D7): the temperature range a storage area keeps its products in."""

from decimal import Decimal

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
