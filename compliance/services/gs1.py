"""GS1 barcodes from the pack (DataMatrix / GS1-128), read with biip."""

from dataclasses import dataclass
from datetime import date

from biip import ParseError, parse
from biip.gs1_messages import GS1Message

from compliance.errors import InvalidBarcode

GROUP_SEPARATOR = "\x1d"
# How a scanner's FNC1 separator may arrive when typed or pasted.
SEPARATOR_SPELLINGS = ("<GS>", "[GS]", "{GS}", "\\x1d", "␝")


@dataclass(frozen=True)
class PackCode:
    gtin: str | None
    batch_number: str | None
    expires_on: date | None
    serial: str | None


def _message(text: str) -> GS1Message:
    cleaned = text.strip()
    for spelling in SEPARATOR_SPELLINGS:
        cleaned = cleaned.replace(spelling, GROUP_SEPARATOR)
    try:
        if cleaned.startswith("("):
            return GS1Message.parse_hri(cleaned)
        result = parse(cleaned)
    except ParseError as error:
        raise InvalidBarcode(f"This is not a GS1 barcode we can read: {error}",
                             field="barcode") from error
    if result.gs1_message is None or not result.gs1_message.element_strings:
        raise InvalidBarcode("This is not a GS1 barcode we can read.", field="barcode")
    return result.gs1_message


def read_pack_code(text: str) -> PackCode:
    """GTIN (01), expiry (17), batch (10) and serial (21) from a scanned or pasted string."""
    message = _message(text)
    found = {element.ai.ai: element for element in message.element_strings}
    gtin = found.get("01")
    if gtin is not None and gtin.gtin_error:
        raise InvalidBarcode(f"The GTIN's check digit is wrong ({gtin.value}): scan it again.",
                             field="barcode")
    expiry = found.get("17")
    if expiry is not None and expiry.date is None:
        raise InvalidBarcode(f"The expiry date {expiry.value} is not a date.", field="barcode")
    return PackCode(gtin=gtin.value if gtin else None,
                    batch_number=found["10"].value if "10" in found else None,
                    expires_on=expiry.date if expiry else None,
                    serial=found["21"].value if "21" in found else None)
