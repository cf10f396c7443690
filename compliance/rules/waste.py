"""Waste (D2): its reasons, what an opened remainder is, and which waste is witnessed.

Who may record which reason is the capability table's to say (compliance/permissions.py).
"""

from compliance.errors import InsufficientStock, InvalidInput

OPENED_REMAINDER, BREAKAGE = "opened remainder", "breakage"
EXPIRY_DISPOSAL, OTHER = "expiry disposal", "other"
WASTE_REASONS = (OPENED_REMAINDER, BREAKAGE, EXPIRY_DISPOSAL, OTHER)


def needs_witness(containers: int) -> bool:
    """Disposal of any sealed container, for any reason, is witnessed; loose volume left in
    an opened container is not (D2)."""
    return containers > 0


def check_waste(waste_reason: str, containers: int, volume_ul: int) -> None:
    """A known reason, something to waste, and an opened remainder that is loose volume only."""
    if waste_reason not in WASTE_REASONS:
        raise InvalidInput("Choose why the stock was wasted.", field="waste_reason")
    if containers < 0 or volume_ul < 0 or containers + volume_ul == 0:
        raise InvalidInput("Enter the containers or volume wasted.", field="containers")
    if waste_reason == OPENED_REMAINDER and containers:
        raise InvalidInput("An opened remainder is loose volume: enter it in ml, and record "
                           "sealed containers as breakage, expiry disposal or other.",
                           field="containers")


def check_loose_volume(volume_ul: int, opened_ul: int, label: str) -> None:
    """Loose volume wasted comes from containers already opened: more than they hold would
    be sealed stock thrown away unwitnessed, as volume (D2)."""
    if volume_ul > opened_ul:
        raise InsufficientStock(
            f"{label} holds {opened_ul / 1000:g} ml in opened containers: loose volume wasted "
            "cannot be more than that. Record sealed containers as containers (witnessed).",
            field="volume_ml")
