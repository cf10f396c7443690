"""A data logger's CSV file (D7), read as loggers write them: a few lines about the logger,
then a header row with a time column (or a date and a time column) and a temperature column,
separated by commas, semicolons or tabs, in UTF-8 with or without a byte order mark. Each
line after the header becomes a reading or a problem with its line number; nothing here
touches the database."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from compliance.errors import InvalidInput
from compliance.rules.temperature import reading_problem, time_problem

MAX_FILE_BYTES = 1_000_000
# Lines after the header (readings and problems): a month of readings every two minutes.
MAX_LINES = 25_000
HEADER_WITHIN_LINES = 30
DELIMITERS = (",", ";", "\t")
ONE_DECIMAL = Decimal("0.1")
_DAY_FIRST = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")
_NUMBER = re.compile(r"[+-]?\d{1,4}(\.\d{1,6})?")
_UNIT = re.compile(r"\s*(°\s*C?|C)\s*$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Columns:
    """Where a row's time and temperature are; `date` when the time column holds the clock
    only and the day is in a column of its own."""

    time: int
    temperature: int
    date: int | None = None


@dataclass(frozen=True)
class LoggerRow:
    line: int
    taken_at: datetime  # UTC
    temperature_c: Decimal


@dataclass(frozen=True)
class BadRow:
    line: int
    problem: str


@dataclass
class LoggerFile:
    header_line: int
    header: str  # the header row's names of the columns read, as the file has them
    rows: list[LoggerRow]
    bad: list[BadRow]


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (a byte order mark dropped), else Windows' own encoding, which
    spreadsheet programs still write "°" in."""
    if b"\x00" in content:
        raise InvalidInput("This is not a text file (it holds NUL bytes): export the logger's "
                           "readings as CSV.", field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("The file's text cannot be read: save it as CSV UTF-8.", field="file")


def _clock_kind(cell: str) -> str | None:
    dated, timed = "date" in cell, "time" in cell
    if dated and timed:
        return "both"
    return "date" if dated else "time" if timed else None


# Words that name a temperature column, and the unit it is in.
_UNITS = (("fahrenheit", ("°f", "fahrenheit")), ("temperature", ("temp", "°c", "celsius")))


def _kind(cell: str) -> str | None:
    """What a header cell names: "both" (a date and time), "date", "time", "temperature",
    "fahrenheit", or nothing this reader needs."""
    cell = cell.strip().lower()
    clock = _clock_kind(cell)
    if clock or cell == "c":
        return clock or "temperature"
    return next((kind for kind, words in _UNITS if any(word in cell for word in words)), None)


def find_columns(header: list[str]) -> Columns | None:
    """The columns of a header row, or None when it is not one."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        found.setdefault(_kind(cell), []).append(index)
    if "temperature" not in found:
        if "fahrenheit" in found:
            raise InvalidInput("The file's temperatures are in °F: export them in °C.",
                               field="file")
        return None
    temperature = found["temperature"][0]
    if "both" in found:
        return Columns(found["both"][0], temperature)
    if "date" in found and "time" in found:
        return Columns(found["time"][0], temperature, found["date"][0])
    single = found.get("time") or found.get("date")
    return Columns(single[0], temperature) if single else None


def _header_row(text: str, delimiter: str):
    """(a reader standing after the header row, its columns, the row) with this separator,
    or None when none of the first lines is a header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            columns = find_columns(row)
            if columns is not None:
                return reader, columns, row
            if reader.line_num >= HEADER_WITHIN_LINES:
                return None
    except csv.Error:  # not this separator's file (or not CSV at all: said when read)
        return None
    return None


def _header(text: str) -> tuple[csv.reader, Columns, str]:
    """A reader standing after the header row, the columns it names, and their names: the
    separator is the one whose header comes first."""
    found = [header for header in (_header_row(text, d) for d in DELIMITERS) if header]
    if not found:
        raise InvalidInput(f"No header row with a time column and a temperature column was "
                           f"found in the first {HEADER_WITHIN_LINES} lines: the file needs "
                           "one such as \"Timestamp,Temperature (°C)\".", field="file")
    reader, columns, row = min(found, key=lambda header: header[0].line_num)
    names = [row[i] for i in (columns.date, columns.time, columns.temperature) if i is not None]
    return reader, columns, ", ".join(name.strip() for name in names)


def shown(text: str, limit: int = 40) -> str:
    """A cell as a problem quotes it: no control characters, not too long."""
    text = _CONTROL.sub("", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def parse_time(text: str, zone: tzinfo) -> datetime | None:
    """A logger's time (ISO 8601, or day first: 01/03/2026 14:05), in the clinic's zone unless
    it gives its own offset, as a UTC instant; None when it is not one."""
    text = text.strip()
    match = _DAY_FIRST.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                              int(second or 0))
        elif ":" in text:  # a date alone is not the time of a reading
            moment = datetime.fromisoformat(text)
        else:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def parse_temperature(text: str) -> Decimal | None:
    """A temperature in °C ("5.3", "5,3", "+5.3 °C"), to one decimal; None if not a number."""
    text = _UNIT.sub("", text.strip().replace("\u2212", "-"))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    return Decimal(text).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def read_row(row: list[str], columns: Columns, zone: tzinfo,
             now: datetime) -> tuple[datetime, Decimal] | str:
    """A row's time (UTC) and temperature, or what is wrong with it."""
    time_text = " ".join(filter(None, (_cell(row, columns.date), _cell(row, columns.time))))
    temperature_text = _cell(row, columns.temperature)
    if not time_text:
        return "No time"
    taken_at = parse_time(time_text, zone)
    if taken_at is None:
        return (f"Unreadable time \"{shown(time_text)}\": write it as 2026-03-01 14:05 or "
                "01/03/2026 14:05")
    if not temperature_text:
        return "No temperature"
    temperature = parse_temperature(temperature_text)
    if temperature is None:
        return f"Not a number: \"{shown(temperature_text)}\""
    return (reading_problem(temperature) or time_problem(taken_at, now)
            or (taken_at, temperature))


def read(content: bytes, zone: tzinfo, now: datetime) -> LoggerFile:
    """Every line after the header as a reading or a problem; a file that cannot be read at
    all (no header, too long, not text) is refused as a whole."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_FILE_BYTES // 1000:,} kB: export a "
                           "shorter period.", field="file")
    reader, columns, header = _header(decode(content))
    result = LoggerFile(reader.line_num, header, [], [])
    first_at: dict[datetime, int] = {}
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(result.rows) + len(result.bad) >= MAX_LINES:
                raise InvalidInput(f"The file has more than {MAX_LINES:,} lines of readings: "
                                   "export a shorter period.", field="file")
            _take(result, reader.line_num, read_row(row, columns, zone, now), first_at)
    except csv.Error as error:
        raise InvalidInput(f"Line {reader.line_num} cannot be read as CSV ({error}).",
                           field="file") from error
    return result


def _take(result: LoggerFile, line: int, read_back, first_at: dict[datetime, int]) -> None:
    if isinstance(read_back, str):
        result.bad.append(BadRow(line, read_back))
    elif read_back[0] in first_at:
        result.bad.append(BadRow(line, f"The same time as line {first_at[read_back[0]]}"))
    else:
        first_at[read_back[0]] = line
        result.rows.append(LoggerRow(line, *read_back))
