"""Reading a data logger's CSV file (D7): common layouts, each bad line with its number and
what is wrong, and files that cannot be read at all refused as a whole."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from compliance.errors import InvalidInput
from compliance.services import logger_files
from compliance.services.logger_files import MAX_FILE_BYTES, parse_temperature, parse_time, read

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 9, 20, 12, tzinfo=UTC)


def readings(text: str, encoding: str = "utf-8") -> logger_files.LoggerFile:
    return read(text.encode(encoding), LONDON, NOW)


def test_a_comma_separated_file_with_iso_times_is_read_in_the_clinics_zone():
    found = readings("Timestamp,Temperature (°C)\n2026-03-01 09:00,5.2\n2026-07-01T09:00:00,6\n")
    assert [(row.line, row.taken_at, row.temperature_c) for row in found.rows] == [
        (2, datetime(2026, 3, 1, 9, tzinfo=UTC), Decimal("5.2")),
        # Summer time: 09:00 in London is 08:00 UTC.
        (3, datetime(2026, 7, 1, 8, tzinfo=UTC), Decimal("6.0"))]
    assert found.bad == [] and found.header == "Timestamp, Temperature (°C)"


def test_a_semicolon_file_with_day_first_times_decimal_commas_and_a_bom_is_read():
    text = "\ufeffLogger;FRIDGE-01\r\n\r\nDate/Time;Temperature (°C)\r\n01/03/2026 14:05;4,8\r\n"
    found = readings(text)
    assert found.header_line == 3
    assert found.rows[0].line == 4
    assert found.rows[0].taken_at == datetime(2026, 3, 1, 14, 5, tzinfo=UTC)
    assert found.rows[0].temperature_c == Decimal("4.8")


def test_separate_date_and_time_columns_and_a_windows_encoded_degree_sign_are_read():
    text = "Serial,Date,Time,Celsius(°C),Humidity(%rh)\n7,01/03/2026,23:30:00,3.9,40\n"
    found = readings(text, "cp1252")
    assert found.rows[0].taken_at == datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert found.header == "Date, Time, Celsius(°C)"


def test_a_time_with_its_own_offset_keeps_it():
    assert parse_time("2026-07-01T09:00:00+00:00", LONDON) == datetime(2026, 7, 1, 9,
                                                                        tzinfo=UTC)


@pytest.mark.parametrize("text, value", [("5.25", "5.3"), ("+5.2 °C", "5.2"), ("-2,5", "-2.5"),
                                         ("7°C", "7.0"), ("\u22121.0", "-1.0")])
def test_temperatures_are_read_as_loggers_write_them_to_one_decimal(text, value):
    assert parse_temperature(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "NaN", "inf", "1e3", "5.2.1", "12345678"])
def test_what_is_not_a_plain_number_is_not_a_temperature(text):
    assert parse_temperature(text) is None


def test_every_bad_line_is_listed_with_its_number_and_what_is_wrong():
    text = ("Timestamp,Temperature (°C)\n"
            "2026-03-01 09:00,5.2\n"          # 2: good
            "yesterday,5.1\n"                # 3
            "2026-03-01 10:00,warm\n"        # 4
            "2026-03-01 11:00,85.0\n"        # 5
            "\n"                             # 6: blank, skipped
            "2026-03-01 09:00,5.3\n"         # 7: same time as line 2
            "2099-01-01 09:00,5.0\n"         # 8
            "2026-03-01 12:00\n"             # 9
            "2026-03-01,5.0\n")              # 10: a date without a time
    found = readings(text)
    assert [row.line for row in found.rows] == [2]
    problems = {bad.line: bad.problem[:30] for bad in found.bad}
    assert problems == {3: 'Unreadable time "yesterday": w', 4: 'Not a number: "warm"',
                        5: "85.0 °C is outside what a stor", 7: "The same time as line 2",
                        8: "A reading cannot be taken in t", 9: "No temperature",
                        10: 'Unreadable time "2026-03-01": '}


@pytest.mark.parametrize("content, says", [
    (b"", "No header row"),
    (b"a,b\n1,2\n", "No header row"),
    (b"Time,Temperature (\xc2\xb0F)\n2026-03-01 09:00,41\n", "in °F"),
    (b"Time,Temp\n\x00\x00", "not a text file"),
    (b"Time,Temp\n\"" + b"x" * 200_000 + b"\",1\n", "cannot be read as CSV"),
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(content, says):
    with pytest.raises(InvalidInput, match=says):
        read(content, LONDON, NOW)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(InvalidInput, match="larger than"):
        read(b"Time,Temp\n" + b"2026-03-01 09:00,5.0\n" * (MAX_FILE_BYTES // 20), LONDON, NOW)


def test_a_header_beyond_the_first_lines_is_not_looked_for():
    with pytest.raises(InvalidInput, match="first 30 lines"):
        readings("note\n" * 30 + "Time,Temp\n2026-03-01 09:00,5.0\n")


def test_a_long_quoted_value_is_shortened_in_its_problem():
    found = readings("Time,Temp\n2026-03-01 09:00," + "9" * 100 + "\n")
    assert found.bad[0].problem.endswith('…"') and len(found.bad[0].problem) < 70
