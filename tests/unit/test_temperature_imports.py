"""A data logger's file imported as readings (D7): kept on the server until its uploader
confirms the preview, and then exactly what the preview showed is imported, in one
transaction; anything else is refused and writes nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from compliance.errors import InvalidInput, NotPermitted
from compliance.extensions import db
from compliance.models import TemperatureReading, TemperatureUpload
from compliance.services import temperature_imports
from tests.audit_helpers import events
from tests.factories import make_user
from tests.temperature_helpers import (
    CUPBOARD,
    at_text,
    logger_csv,
    minutes_ago,
    read,
    reading_count,
)


def uploads() -> int:
    return db.session.scalar(select(func.count()).select_from(TemperatureUpload))


def good_file():
    times = [minutes_ago(90), minutes_ago(60), minutes_ago(30)]
    return times, logger_csv(*(f"{at_text(t)},{v}" for t, v in zip(times, ("19.5", "20", "26.1"),
                                                                        strict=True)))


def test_an_upload_is_previewed_and_imported_only_when_confirmed(app, users):
    manager = users["manager"]
    times, content = good_file()
    upload = temperature_imports.upload(manager, CUPBOARD, "C:\\logs\\fridge.csv", content)
    assert upload.file_name == "fridge.csv" and len(upload.token) >= 40
    shown = temperature_imports.preview(manager, upload.token)
    assert [(row.line, row.temperature_c) for row in shown.file.rows] == [
        (2, Decimal("19.5")), (3, Decimal("20.0")), (4, Decimal("26.1"))]
    assert reading_count() == 0
    assert temperature_imports.confirm(manager, upload.token, upload.sha256, shown.digest) == 3
    imported = db.session.scalars(select(TemperatureReading).order_by(
        TemperatureReading.taken_at)).all()
    assert [(r.taken_at, r.source, r.file_name, r.line_number) for r in imported] == [
        (t, "data logger", "fridge.csv", line) for t, line in zip(times, (2, 3, 4), strict=True)]
    assert {r.file_sha256 for r in imported} == {upload.sha256}
    assert uploads() == 0
    assert len(events(table_name="temperature_readings", action="create")) == 3


def test_the_preview_lists_bad_lines_and_duplicates_and_only_good_lines_are_imported(app, users):
    manager = users["manager"]
    kept = read(manager, "20.0", minutes_ago(60))
    content = logger_csv(f"{at_text(minutes_ago(90))},19.5", f"{at_text(minutes_ago(60))},20.2",
                         "soon,20", f"{at_text(minutes_ago(30))},hot")
    upload = temperature_imports.upload(manager, CUPBOARD, "logger.csv", content)
    shown = temperature_imports.preview(manager, upload.token)
    assert [row.line for row in shown.file.rows] == [2]
    assert [(bad.line, bad.problem[:20]) for bad in shown.file.bad] == [
        (3, "A reading at this ti"), (4, 'Unreadable time "soo'), (5, 'Not a number: "hot"')]
    assert shown.file.bad[0].problem.endswith("already recorded (20.0 °C)")
    temperature_imports.confirm(manager, upload.token, upload.sha256, shown.digest)
    assert reading_count() == 2 and db.session.get(TemperatureReading, kept.id) is not None


def test_a_file_changed_between_preview_and_confirm_is_refused_and_nothing_written(app, users):
    manager = users["manager"]
    _times, content = good_file()
    upload = temperature_imports.upload(manager, CUPBOARD, "logger.csv", content)
    shown = temperature_imports.preview(manager, upload.token)
    other = temperature_imports.upload(manager, CUPBOARD, "other.csv", content + b"\n")
    with pytest.raises(InvalidInput, match="not the file that was previewed"):
        temperature_imports.confirm(manager, upload.token, other.sha256, shown.digest)
    assert reading_count() == 0 and uploads() == 2


def test_readings_recorded_since_the_preview_refuse_the_confirm_and_nothing_is_written(app,
                                                                                      users):
    manager = users["manager"]
    times, content = good_file()
    upload = temperature_imports.upload(manager, CUPBOARD, "logger.csv", content)
    shown = temperature_imports.preview(manager, upload.token)
    read(users["nurse"], "19.9", times[1])
    with pytest.raises(InvalidInput, match="changed since the preview"):
        temperature_imports.confirm(manager, upload.token, upload.sha256, shown.digest)
    assert reading_count() == 1
    again = temperature_imports.preview(manager, upload.token)
    assert len(again.file.rows) == 2
    temperature_imports.confirm(manager, upload.token, upload.sha256, again.digest)
    assert reading_count() == 3


def test_an_upload_is_its_uploaders_alone_and_is_imported_once(app, users):
    manager, other = users["manager"], make_user("manager")
    _times, content = good_file()
    upload = temperature_imports.upload(manager, CUPBOARD, "logger.csv", content)
    shown = temperature_imports.preview(manager, upload.token)
    assert temperature_imports.preview(other, upload.token) is None
    with pytest.raises(InvalidInput, match="expired or was already imported"):
        temperature_imports.confirm(other, upload.token, upload.sha256, shown.digest)
    token, sha = upload.token, upload.sha256
    temperature_imports.confirm(manager, token, sha, shown.digest)
    with pytest.raises(InvalidInput, match="expired or was already imported"):
        temperature_imports.confirm(manager, token, sha, shown.digest)
    assert reading_count() == 3


@pytest.mark.parametrize("content, says", [(b"", "empty"), (b"just words\n", "No header row"),
                                           (b"Time,Temp\n\x00", "not a text file")])
def test_a_file_that_cannot_be_read_is_refused_at_upload_and_not_kept(app, users, content, says):
    with pytest.raises(InvalidInput, match=says):
        temperature_imports.upload(users["manager"], CUPBOARD, "logger.csv", content)
    assert uploads() == 0


def test_a_prescriber_imports_nothing(app, users):
    with pytest.raises(NotPermitted):
        temperature_imports.upload(users["nurse"], CUPBOARD, "logger.csv", good_file()[1])
    assert uploads() == 0
