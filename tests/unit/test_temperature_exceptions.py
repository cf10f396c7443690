"""Storage temperature exceptions (D7) in the compliance exceptions report: a day out of
range and a day without a reading, each with the batches stored in the area; a reading typed
in late; and the quarantine a manager is offered for those batches."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from compliance.clock import frozen_at, local_today, utcnow
from compliance.errors import InvalidInput, NotPermitted
from compliance.extensions import db
from compliance.models import Batch, StorageArea
from compliance.services import reviews, storage_quarantine, temperature_queries, temperatures
from compliance.services.reports import common, exceptions
from compliance.services.reports.common import Filters, Listing
from compliance.services.reports.temperature_exceptions import LATE_ENTRY, NO_READING, OUT_OF_RANGE
from tests.temperature_helpers import CUPBOARD, local_at, read, second_location


def rows(kind: str, filters: Filters | None = None) -> list:
    return [row for row in exceptions.listed(filters or Filters()) if row.kind == kind]


def test_a_day_out_of_range_is_listed_with_its_readings_and_the_batches_stored_there(clinic):
    nurse = clinic["nurse"]
    read(nurse, "20.0", local_at(1, 9))
    read(nurse, "27.5", local_at(1, 17))
    read(nurse, "14.0", local_at(1, 17, 30))
    [row] = rows(OUT_OF_RANGE)
    yesterday = local_today() - timedelta(days=1)
    assert (row.day, row.subject, row.page) == (yesterday, "Main clinic: Drug cupboard",
                                                ("storage_area", CUPBOARD))
    assert row.detail == ("27.5 °C at 17:00, 14.0 °C at 17:30 (range 15.0 to 25.0 °C); "
                          "stored there now: batch A1, B2")
    assert [b.id for b in row.batches] == [clinic["batch"].id, clinic["other"].id]
    assert row.key == f"temperature-{CUPBOARD}-{yesterday:%Y%m%d}"
    assert rows(OUT_OF_RANGE, Filters(date_from=local_today())) == []


def test_a_day_without_a_reading_is_listed_from_the_first_reading_up_to_yesterday(clinic):
    nurse = clinic["nurse"]
    read(nurse, "20.0", local_at(4, 9))
    read(nurse, "20.0", local_at(2, 9))
    missing = rows(NO_READING)
    assert [row.day for row in missing] == [local_today() - timedelta(days=n) for n in (3, 1)]
    assert missing[0].detail.endswith("(range 15.0 to 25.0 °C); stored there now: batch A1, B2")
    assert missing[0].key == f"no-reading-{CUPBOARD}-{missing[0].day:%Y%m%d}"


def test_a_page_of_the_report_names_the_stored_batches_of_its_own_rows_only(clinic,
                                                                           monkeypatch):
    read(clinic["nurse"], "20.0", local_at(4, 9))  # then no reading on 3, 2 and 1 days ago
    monkeypatch.setattr(common, "PAGE_SIZE", 2)
    asked = []
    monkeypatch.setattr(temperature_queries, "stored_batches",
                        lambda areas, real=temperature_queries.stored_batches:
                        asked.append(areas) or real(areas))
    words = "; stored there now: batch A1, B2"
    counted = exceptions.listed(Filters(), stored_batches=False)
    assert len([row for row in counted if row.kind == NO_READING]) == 3 and asked == []
    assert not any(row.batches or words in row.detail for row in counted)
    pages = [exceptions.report(Filters(), Listing("day", page=page)).rows
             for page in range(1, len(counted) // 2 + 2)]
    everything = exceptions.report(Filters(), Listing("day", page=None)).rows  # an export
    assert [row.key for shown in pages for row in shown] == [row.key for row in everything]
    for shown, areas in zip((*pages, everything), asked, strict=True):
        assert_batches_named(shown, areas, words)
    assert len([row for row in everything if row.kind == NO_READING]) == 3


def assert_batches_named(shown: list, areas: list[int], words: str) -> None:
    """The cupboard's days without a reading among `shown` name its two batches, and the
    batches were read for the cupboard only if one is shown."""
    missing = [row for row in shown if row.kind == NO_READING]
    assert areas == ([CUPBOARD] if missing else [])
    assert all(row.detail.endswith(words) and len(row.batches) == 2 for row in missing)
    assert not any(row.batches for row in shown if row.kind != NO_READING)


# Either side of a local midnight: London's the night its clocks went back, Kathmandu's
# (5:45 ahead) and St John's (2:30 behind in summer). CET had summer time until the 25th:
# PostgreSQL reads the name as an abbreviation, an hour ahead all year, so it converts here.
NEAR_MIDNIGHTS = [datetime(2026, 10, 24, 22, 59), datetime(2026, 10, 24, 23, 0),
                  datetime(2026, 10, 25, 23, 59), datetime(2026, 10, 26, 0, 0),
                  datetime(2026, 10, 27, 18, 14), datetime(2026, 10, 27, 18, 15),
                  datetime(2026, 10, 28, 2, 29), datetime(2026, 10, 28, 2, 30)]


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kathmandu", "America/St_Johns", "CET"])
def test_a_reading_counts_for_the_day_it_was_taken_on_in_the_clinic_time_zone(
        clinic, app, monkeypatch, zone):
    monkeypatch.setitem(app.config, "CLINIC_TIMEZONE", zone)
    moments = [moment.replace(tzinfo=UTC) for moment in NEAR_MIDNIGHTS]
    with frozen_at(datetime(2026, 11, 1, tzinfo=UTC)):  # within a year, whenever it runs
        for moment in moments:
            read(clinic["nurse"], "20.0", moment)
    expected = {moment.astimezone(ZoneInfo(zone)).date() for moment in moments}
    assert temperature_queries.days_with_readings([CUPBOARD]) == {CUPBOARD: expected}
    since, until = moments[1], moments[-1]  # from the second reading, until before the last
    assert temperature_queries.days_with_readings([CUPBOARD], since, until) == {CUPBOARD: {
        moment.astimezone(ZoneInfo(zone)).date() for moment in moments[1:-1]}}


def test_postgresql_finds_the_clinic_day_only_for_a_zone_it_reads_as_python_does(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite knows no time zones: Python always converts")
    reads = temperature_queries._database_reads_zone
    assert reads(db.engine, "Europe/London") and reads(db.engine, "Asia/Kathmandu")
    assert not reads(db.engine, "CET")  # an abbreviation there: +01:00 all year
    assert not reads(db.engine, "Mars/Olympus_Mons")


def test_a_deactivated_area_is_not_expected_to_be_read_after_it_was_deactivated(clinic):
    read(clinic["nurse"], "20.0", local_at(5, 9))
    area = db.session.get(StorageArea, CUPBOARD)
    area.active, area.deactivated_at = False, utcnow() - timedelta(days=2)
    area.deactivation_reason = "Cupboard replaced"
    db.session.commit()
    assert [row.day for row in rows(NO_READING)] == [
        local_today() - timedelta(days=n) for n in (4, 3)]


def test_a_corrected_reading_is_no_longer_an_excursion(clinic):
    nurse = clinic["nurse"]
    wrong = read(nurse, "52.0", local_at(1, 9))
    assert len(rows(OUT_OF_RANGE)) == 1
    temperatures.correct_reading(nurse, wrong.id, temperatures.Reading(
        None, Decimal("5.2") + 15, wrong.taken_at), "Typed 52.0 for 20.2")
    assert rows(OUT_OF_RANGE) == [] and rows(NO_READING) == []


def test_a_reading_typed_in_days_later_is_a_late_entry_and_a_person_filter_keeps_only_it(clinic):
    nurse = clinic["nurse"]
    read(nurse, "20.0", local_at(3, 9))
    read(nurse, "26.0", local_at(1, 9))
    [late] = [row for row in rows(LATE_ENTRY) if row.key.startswith("late-reading-")]
    assert late.who == nurse.full_name and late.subject == "Main clinic: Drug cupboard"
    assert late.detail.startswith("Temperature reading of Drug cupboard dated")
    by_nurse = [row.kind for row in exceptions.listed(Filters(prescriber_id=nurse.id))
                if "reading" in row.key or "temperature" in row.key]
    assert by_nurse == [LATE_ENTRY]


def test_a_temperature_exception_is_reviewed_like_any_other(clinic):
    read(clinic["nurse"], "30.0", local_at(1, 9))
    [row] = rows(OUT_OF_RANGE)
    reviews.review_exception(clinic["manager"], row.day, row.key, "Heating fixed; SmPC allows "
                             "brief storage up to 30 °C")
    [again] = rows(OUT_OF_RANGE)
    assert again.review.note.startswith("Heating fixed")


def test_a_manager_quarantines_the_batches_stored_there_with_a_reason(clinic):
    batch = storage_quarantine.quarantine_stored(
        clinic["manager"], CUPBOARD, [clinic["batch"].id], "Drug cupboard at 27.5 °C")[0]
    assert batch.state == "quarantined"
    assert [b.batch_number for b in storage_quarantine.quarantinable(CUPBOARD)] == ["B2"]


@pytest.mark.parametrize("who, batch_ids, error", [
    ("nurse", ["batch"], NotPermitted), ("manager", [], InvalidInput),
    ("manager", ["batch", "elsewhere"], InvalidInput)])
def test_a_quarantine_of_what_is_not_stored_there_or_by_a_non_manager_changes_nothing(
        clinic, who, batch_ids, error):
    ids = [clinic["batch"].id if name == "batch" else 999 for name in batch_ids]
    with pytest.raises(error):
        storage_quarantine.quarantine_stored(clinic[who], CUPBOARD, ids, "Too warm")
    assert {b.state for b in db.session.query(Batch)} == {"available"}


def test_another_locations_excursion_and_late_reading_stay_out_of_one_locations_report(clinic):
    nurse = clinic["nurse"]
    fridge = second_location(nurse)
    read(nurse, "12.0", local_at(3, 9), area_id=fridge.id)
    read(nurse, "20.0", local_at(1, 9))
    here = Filters(location_ids=frozenset({1}))
    listed = [row for row in exceptions.listed(here) if row.page == ("storage_area", fridge.id)]
    assert listed == []
    there = Filters(location_ids=frozenset({fridge.location_id}))
    kinds = {row.kind for row in exceptions.listed(there) if row.page[0] == "storage_area"}
    assert {OUT_OF_RANGE, LATE_ENTRY, NO_READING} == kinds
