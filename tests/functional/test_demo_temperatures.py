"""The demo's storage temperatures (D7): whatever storage areas the demo has are read, a fridge
by its data logger's imported file, and the exceptions report shows the cupboard's one
excursion and its one day without a reading."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from compliance import demo, demo_temperatures
from compliance.clock import local_today, to_local
from compliance.extensions import db
from compliance.models import StorageArea, TemperatureReading
from compliance.services.reports import exceptions
from compliance.services.reports.common import Filters
from compliance.services.reports.temperature_exceptions import NO_READING, OUT_OF_RANGE


def test_the_demo_reads_every_storage_area_and_shows_one_excursion_and_one_missing_day(app):
    fridge = StorageArea(location_id=1, name="Medicines fridge", kind="medicines fridge",
                         min_temp_c=Decimal("2.0"), max_temp_c=Decimal("8.0"))
    db.session.add(fridge)
    db.session.commit()
    demo.load()
    readings = db.session.scalars(select(TemperatureReading)).all()
    sources = Counter((r.storage_area_id, r.source) for r in readings)
    days = demo_temperatures.READ_DAYS
    assert sources[1, "manual"] == 2 * days - 2
    # Every half hour of the days read, but for a clock change's hour read twice.
    assert abs(sources[fridge.id, "data logger"] - 48 * days) <= 2
    assert {r.file_name for r in readings if r.source == "data logger"} == {"fridge-logger.csv"}
    rows = [r for r in exceptions.listed(Filters()) if r.kind in (OUT_OF_RANGE, NO_READING)]
    today = local_today()
    cupboard = str(db.session.get(StorageArea, 1))  # the demo renames the first location
    assert sorted((r.kind, r.subject, r.day) for r in rows) == [
        (NO_READING, cupboard, today - timedelta(days=demo_temperatures.UNREAD_DAYS_AGO)),
        (OUT_OF_RANGE, cupboard,
         today - timedelta(days=demo_temperatures.EXCURSION[0]))]
    assert all(r.batches for r in rows)
    assert all(to_local(r.taken_at).date() < today for r in readings)
