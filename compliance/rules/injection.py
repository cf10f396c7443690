"""Rules 6 to 8 for one injection: the volume, the batch and the treatment area."""

from datetime import date, timedelta

from compliance.errors import (
    AreaNotOnLegs,
    BatchExpired,
    BatchQuarantined,
    BatchRecalled,
    BatchUnusable,
    NoValidPrescription,
    VolumeAboveMaximum,
)
from compliance.rules.facts import BatchFacts, PrescriptionFacts, VolumeFacts

# Leg regions a session may treat (D0: microsclerotherapy is for the legs).
LEG_REGIONS = (
    "left thigh (front)", "left thigh (back)", "left knee", "left calf", "left shin",
    "left ankle", "right thigh (front)", "right thigh (back)", "right knee", "right calf",
    "right shin", "right ankle",
)


def session_limit_ul(volume: VolumeFacts) -> int:
    """The most a session may use: the lower of the prescription's and the product's maximum."""
    return min(volume.prescribed_max_ul, volume.product_max_ul)


def check_volume(volume: VolumeFacts, adding_ul: int) -> None:
    """Rule 6: the session's total stays within the prescription's and product's maximum."""
    limit, total = session_limit_ul(volume), volume.used_ul + adding_ul
    if total > limit:
        raise VolumeAboveMaximum(
            f"This would bring the session to {total / 1000:g} ml; the maximum "
            f"per session is {limit / 1000:g} ml ({(limit - volume.used_ul) / 1000:g} ml left).",
            field="volume_ml")


def expired_through(on: date) -> date:
    """The latest expiry date that counts as expired on `on`: the one definition of expiry,
    for rules and for queries alike. A batch is usable up to and including its expiry date
    (the clinic's local date) and expired from the next day (D2)."""
    return on - timedelta(days=1)


def is_expired(expires_on: date, on: date) -> bool:
    """Whether a batch expiring on `expires_on` is expired on `on`."""
    return expires_on <= expired_through(on)


def check_batch_usable(batch: BatchFacts, on: date) -> None:
    """Rule 7: refuse a batch that is recalled, quarantined or expired on `on`."""
    if batch.recalled:
        raise BatchRecalled(f"{batch.label} has been recalled and cannot be used.",
                            field="batch_id")
    if batch.quarantined:
        raise BatchQuarantined(f"{batch.label} is quarantined and cannot be used.",
                               field="batch_id")
    if is_expired(batch.expires_on, on):
        raise BatchExpired(f"{batch.label} expired on {batch.expires_on:%d %b %Y}.",
                           field="batch_id")


def check_batch(batch: BatchFacts, prescription: PrescriptionFacts, on: date) -> None:
    """Rule 7 (with rule 2's product): the prescribed product, received by the session date,
    not expired on it, not quarantined or recalled. The ledger refuses too little stock."""
    if batch.product_id != prescription.product_id:
        raise NoValidPrescription(f"{batch.label} is not the prescribed product "
                                  f"({prescription.product_name}).", field="batch_id")
    if batch.received_on > on:
        raise BatchUnusable(f"{batch.label} was received on {batch.received_on:%d %b %Y}, after "
                            "the session date.", field="batch_id")
    check_batch_usable(batch, on)


def check_areas(areas: list[str]) -> None:
    """Rule 8: microsclerotherapy here treats the legs only."""
    if not areas:
        raise AreaNotOnLegs("Choose at least one treatment area on the legs.",
                            field="treatment_areas")
    outside = [area for area in areas if area not in LEG_REGIONS]
    if outside:
        raise AreaNotOnLegs(f"Not on the legs: {', '.join(outside)}. Thread veins elsewhere "
                            "(such as the face) are not treated with this procedure.",
                            field="treatment_areas")
