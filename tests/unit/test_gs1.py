"""Reading GS1 pack barcodes with biip."""

from datetime import date, timedelta

import pytest

from compliance.errors import InvalidBarcode
from compliance.rules.injection import is_expired
from compliance.services.gs1 import read_pack_code
from compliance.services.products import gtin_is_valid

EXPECTED = ("05012345678900", "ABC123", date(2027, 12, 31), "SER9")


@pytest.mark.parametrize("text", [
    "(01)05012345678900(17)271231(10)ABC123(21)SER9",
    "01050123456789001727123110ABC123\x1d21SER9",
    "01050123456789001727123110ABC123<GS>21SER9",
    "]d201050123456789001727123110ABC123\x1d21SER9",
    "  (01)05012345678900(17)271231(10)ABC123(21)SER9\n",
])
def test_pack_codes_read_with_or_without_parentheses_and_separators(text):
    code = read_pack_code(text)
    assert (code.gtin, code.batch_number, code.expires_on, code.serial) == EXPECTED


@pytest.mark.parametrize("text, message", [
    ("(01)05012345678901(17)271231(10)ABC123", "check digit is wrong"),
    ("(01)05012345678900(17)271399(10)ABC123", "not a GS1 barcode"),
    ("hello world", "not a GS1 barcode"),
    ("", "not a GS1 barcode"),
])
def test_bad_barcodes_are_refused_with_a_clear_message(text, message):
    with pytest.raises(InvalidBarcode, match=message):
        read_pack_code(text)


def test_gtin_check_digits():
    assert gtin_is_valid("05012345678900") and not gtin_is_valid("05012345678901")
    assert not gtin_is_valid("abc")


@pytest.mark.parametrize("text, last_day", [
    ("(01)05012345678900(17)260700(10)ABC123", date(2026, 7, 31)),
    ("(01)05012345678900(17)280200(10)ABC123", date(2028, 2, 29)),
    ("(01)05012345678900(17)270200(10)ABC123", date(2027, 2, 28)),
])
def test_an_expiry_with_day_00_is_the_last_day_of_its_month_and_usable_on_it(text, last_day):
    expires_on = read_pack_code(text).expires_on
    assert expires_on == last_day
    assert not is_expired(expires_on, last_day)
    assert is_expired(expires_on, last_day + timedelta(days=1))
