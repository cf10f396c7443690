"""Checks of raw input every form, query string and URL shares (pure: no Flask): ids the
database can hold, text without control characters and within its length, plausible dates."""

import re
from datetime import date

from compliance.clock import local_today

# Every id column is an INTEGER: a larger number names no record, and PostgreSQL refuses it.
MAX_ID = 2**31 - 1
# Dates outside these bounds are slips of the keyboard (0001 for 2001, 9999 for 2026).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_YEARS_AHEAD = 20
# Control characters cannot be stored (PostgreSQL refuses NUL) or shown; multi-line text keeps
# its tabs and line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(text: str, max_length: int | None = None,
                 multiline: bool = False) -> str | None:
    """Why `text` cannot be taken as typed (a control character, or too long), or None."""
    found = (_CONTROL_IN_LINES if multiline else _CONTROL).search(text)
    if found:
        return (f"Remove the control character U+{ord(found.group()):04X}: text may not "
                "contain them.")
    if max_length is not None and len(text) > max_length:
        return f"Enter at most {max_length:,} characters (this has {len(text):,})."
    return None


def record_id(raw: str) -> int:
    """`raw` as a record id (digits, 1 to MAX_ID); ValueError otherwise, so that it also
    serves as WTForms' `coerce` and Werkzeug's `type=`."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise ValueError(f"Not a record id: {text[:20]!r}")
    return int(text)


def optional_id(raw) -> int | None:
    """`raw` as a record id, or None: the `coerce` of a select whose "nothing chosen" (or a
    value no record could have) is for a validator to refuse with its own message."""
    try:
        return record_id(raw)
    except ValueError:
        return None


def date_range() -> tuple[date, date]:
    """The dates a user can mean: from EARLIEST_DATE to LATEST_YEARS_AHEAD years ahead."""
    today = local_today()
    return EARLIEST_DATE, today.replace(year=today.year + LATEST_YEARS_AHEAD,
                                        day=min(today.day, 28))
