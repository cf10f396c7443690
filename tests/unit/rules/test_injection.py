"""Rules 6 to 8 on plain facts: the volume, the batch and the treatment area."""

from datetime import date, timedelta

import pytest

from compliance.errors import (
    AreaNotOnLegs,
    BatchExpired,
    BatchQuarantined,
    BatchRecalled,
    BatchUnusable,
    NoValidPrescription,
    VolumeAboveMaximum,
)
from compliance.rules.injection import (
    LEG_REGIONS,
    check_areas,
    check_batch,
    check_batch_usable,
    check_volume,
    expired_through,
    is_expired,
    session_limit_ul,
)
from tests.unit.rules.builders import ON, PRODUCT_ID, batch, prescription, refusal, volume


def test_a_session_may_use_the_lower_of_the_two_maxima():
    assert session_limit_ul(volume(prescribed_max_ul=4000, product_max_ul=10000)) == 4000
    assert session_limit_ul(volume(prescribed_max_ul=12000, product_max_ul=10000)) == 10000


def test_a_session_may_reach_its_maximum_exactly():
    check_volume(volume(used_ul=3000), 1000)


def test_a_volume_above_the_maximum_is_refused():
    error = refusal(VolumeAboveMaximum, check_volume, volume(used_ul=3000), 1001)
    assert error.message == ("This would bring the session to 4.001 ml; the maximum per session "
                             "is 4 ml (1 ml left).")
    assert error.field == "volume_ml"


def test_a_recalled_batch_is_refused():
    error = refusal(BatchRecalled, check_batch_usable, batch(recalled=True), ON)
    assert error.message == "Fibro-Vein 0.2% batch B-100 has been recalled and cannot be used."
    assert error.field == "batch_id"


def test_a_quarantined_batch_is_refused():
    error = refusal(BatchQuarantined, check_batch_usable, batch(quarantined=True), ON)
    assert error.message == "Fibro-Vein 0.2% batch B-100 is quarantined and cannot be used."
    assert error.field == "batch_id"


def test_a_batch_is_expired_from_the_day_after_its_expiry_date():
    error = refusal(BatchExpired, check_batch_usable, batch(expires_on=ON - timedelta(days=1)),
                    ON)
    assert error.message == "Fibro-Vein 0.2% batch B-100 expired on 09 Mar 2026."
    assert error.field == "batch_id"


def test_a_batch_may_be_used_up_to_and_including_its_expiry_date():
    check_batch_usable(batch(expires_on=ON), ON)
    check_batch_usable(batch(expires_on=ON + timedelta(days=1)), ON)


@pytest.mark.parametrize("expires_on, on, expired", [
    (date(2026, 7, 16), date(2026, 7, 15), False),
    (date(2026, 7, 16), date(2026, 7, 16), False),
    (date(2026, 7, 16), date(2026, 7, 17), True),
])
def test_expiry_is_defined_once_up_to_and_including_the_date(expires_on, on, expired):
    assert is_expired(expires_on, on) is expired
    assert (expires_on <= expired_through(on)) is expired


def test_a_batch_of_another_product_is_refused():
    error = refusal(NoValidPrescription, check_batch, batch(product_id=PRODUCT_ID + 1),
                    prescription(), ON)
    assert error.message == ("Fibro-Vein 0.2% batch B-100 is not the prescribed product "
                             "(Fibro-Vein 0.2%).")
    assert error.field == "batch_id"


def test_a_batch_received_after_the_session_date_is_refused():
    error = refusal(BatchUnusable, check_batch, batch(received_on=ON + timedelta(days=1)),
                    prescription(), ON)
    assert error.message == ("Fibro-Vein 0.2% batch B-100 was received on 11 Mar 2026, after "
                             "the session date.")
    assert error.field == "batch_id"


def test_a_batch_received_on_the_session_date_may_be_used():
    check_batch(batch(received_on=ON), prescription(), ON)


def test_the_prescribed_batch_is_also_checked_for_expiry():
    refusal(BatchExpired, check_batch, batch(expires_on=date(2026, 3, 1)), prescription(), ON)


def test_treatment_on_the_legs_is_accepted():
    check_areas(list(LEG_REGIONS))


def test_a_session_with_no_area_is_refused():
    error = refusal(AreaNotOnLegs, check_areas, [])
    assert error.message == "Choose at least one treatment area on the legs."
    assert error.field == "treatment_areas"


@pytest.mark.parametrize("areas", [["face"], ["left calf", "face", "neck"]])
def test_an_area_off_the_legs_is_refused(areas):
    error = refusal(AreaNotOnLegs, check_areas, areas)
    outside = ", ".join(area for area in areas if area not in LEG_REGIONS)
    assert error.message == (f"Not on the legs: {outside}. Thread veins elsewhere (such as the "
                             "face) are not treated with this procedure.")
    assert error.field == "treatment_areas"
