"""Storage temperature readings (D7) typed in: by those who work at the location, never in the
future or beyond what a thermometer reads, audited, append-only, and corrected by a new
reading rather than edited."""

from decimal import Decimal

import pytest
from sqlalchemy.exc import DatabaseError

from compliance.clock import to_local
from compliance.errors import DomainError, InvalidInput, NotPermitted
from compliance.extensions import db
from compliance.models import StorageArea, TemperatureReading
from compliance.services import temperatures
from compliance.services.reports import audit_records
from compliance.services.temperatures import Reading
from tests.audit_helpers import changes, events, execute_raw
from tests.factories import make_user
from tests.temperature_helpers import (
    CUPBOARD,
    minutes_ago,
    read,
    reading_count,
    second_location,
)


def test_a_prescriber_at_the_location_records_a_reading_and_it_is_audited(app, users):
    nurse = users["nurse"]
    taken = minutes_ago(5)
    reading = read(nurse, "19.5", taken)
    assert (reading.storage_area_id, reading.temperature_c, reading.source) == (
        CUPBOARD, Decimal("19.5"), "manual")
    assert reading.taken_at == taken and reading.recorded_by_id == nurse.id
    created = events(table_name="temperature_readings", action="create")
    assert len(created) == 1 and created[0].actor_id == nurse.id
    assert changes(created[0])["temperature_c"][1] == "19.5"
    named = audit_records.name_records([("temperature_readings", str(reading.id))])
    assert named["temperature_readings", str(reading.id)] == audit_records.RecordName(
        f"reading of Drug cupboard, 19.5 °C at {to_local(taken):%d %b %Y %H:%M}",
        ("storage_area", CUPBOARD))


def test_readings_cannot_be_changed_or_deleted_in_the_database(app, users):
    reading = read(users["manager"], "20.0", minutes_ago(5))
    for statement in (f"UPDATE temperature_readings SET temperature_c = 5 WHERE id = {reading.id}",
                      f"DELETE FROM temperature_readings WHERE id = {reading.id}"):
        with pytest.raises(DatabaseError, match="append-only"):
            execute_raw(statement)
        db.session.rollback()
    assert db.session.get(TemperatureReading, reading.id).temperature_c == Decimal("20.0")


def _refused(user, reading: Reading, error=DomainError, field: str | None = None):
    before = reading_count()
    with pytest.raises(error) as refused:
        temperatures.record_reading(user, reading)
    assert reading_count() == before
    if field:
        assert refused.value.field == field
    return refused.value


@pytest.mark.parametrize("value, field", [("52.0e1", "temperature_c"), ("NaN", "temperature_c"),
                                          ("-40.1", "temperature_c")])
def test_a_temperature_no_storage_area_reads_is_refused_and_nothing_written(app, users, value,
                                                                             field):
    _refused(users["nurse"], Reading(CUPBOARD, Decimal(value), minutes_ago(1)), InvalidInput,
             field)


def test_a_reading_in_the_future_is_refused(app, users):
    error = _refused(users["nurse"], Reading(CUPBOARD, Decimal("20"), minutes_ago(-10)),
                     InvalidInput, "taken_at")
    assert "future" in error.message


def test_a_second_reading_at_the_same_time_is_refused_with_the_first(app, users):
    taken = minutes_ago(30)
    read(users["nurse"], "20.1", taken)
    error = _refused(users["doctor"], Reading(CUPBOARD, Decimal("20.4"), taken), InvalidInput)
    assert "20.1 °C is already recorded" in error.message and "correct it" in error.message


def test_an_inspector_records_no_reading_and_the_refusal_is_audited(app, users):
    _refused(users["inspector"], Reading(CUPBOARD, Decimal("20"), minutes_ago(1)), NotPermitted)
    assert events(action="refused")[-1].rule == "capability: record_temperature"


def test_someone_who_does_not_work_at_the_location_records_no_reading_there(app, users):
    """Its storage areas are outside their scope: answered as not found (D7)."""
    local_nurse = make_user("nurse", all_locations=False)
    fridge = second_location(local_nurse)
    read(local_nurse, "5.0", minutes_ago(3), fridge.id)
    error = _refused(local_nurse, Reading(CUPBOARD, Decimal("20"), minutes_ago(1)),
                     InvalidInput, "storage_area_id")
    assert error.message == "Choose a storage area."


def test_a_deactivated_or_unknown_storage_area_takes_no_reading(app, users):
    _refused(users["nurse"], Reading(999, Decimal("20"), minutes_ago(1)), InvalidInput)
    area = db.session.get(StorageArea, CUPBOARD)
    area.active = False
    db.session.commit()
    error = _refused(users["nurse"], Reading(CUPBOARD, Decimal("20"), minutes_ago(1)),
                     InvalidInput)
    assert "deactivated" in error.message


def test_a_correction_is_a_new_reading_that_names_the_wrong_one_and_says_why(app, users):
    nurse = users["nurse"]
    wrong = read(nurse, "52.0", minutes_ago(60))
    fixed = temperatures.correct_reading(nurse, wrong.id, Reading(None, Decimal("5.2"),
                                                                  wrong.taken_at),
                                         "Typed 52.0 for 5.2")
    assert fixed.corrects_id == wrong.id and fixed.reason == "Typed 52.0 for 5.2"
    assert db.session.get(TemperatureReading, wrong.id).temperature_c == Decimal("52.0")
    assert events(table_name="temperature_readings", record_id=str(fixed.id))[0].reason == (
        "Typed 52.0 for 5.2")
    before = reading_count()
    with pytest.raises(InvalidInput, match="already corrected"):
        temperatures.correct_reading(nurse, wrong.id, Reading(None, Decimal("5.3"),
                                                              wrong.taken_at), "Again")
    assert reading_count() == before


def test_a_correction_needs_a_reason_and_may_move_the_time_but_not_onto_another_reading(app,
                                                                                        users):
    nurse = users["nurse"]
    wrong = read(nurse, "20.0", minutes_ago(60))
    other = read(nurse, "21.0", minutes_ago(30))
    before = reading_count()
    for reason, taken, field in (("", wrong.taken_at, "reason"),
                                 ("Wrong time", other.taken_at, "taken_at")):
        with pytest.raises(InvalidInput) as refused:
            temperatures.correct_reading(nurse, wrong.id, Reading(None, Decimal("20.0"), taken),
                                         reason)
        assert refused.value.field == field
    assert reading_count() == before
    moved = temperatures.correct_reading(nurse, wrong.id, Reading(None, Decimal("20.0"),
                                                                  minutes_ago(45)), "Wrong time")
    assert moved.taken_at == minutes_ago(45)
