"""The demo's storage temperatures (D7): each storage area read morning and evening by the
staff of its location, each medicines fridge watched by a data logger whose file the manager
imports, and two things to find in the exceptions report: an evening the drug cupboard was too
warm, and a day nobody read it.

The storage areas are those the demo has when each step runs (the demo's locations are made
elsewhere), so the readings follow whatever locations and areas it has.
"""

import csv
import io
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from sqlalchemy import select

from compliance import clock, locations
from compliance.demo_patients import MANAGER
from compliance.demo_sessions import DOCTOR, NURSE
from compliance.demo_timeline import Step
from compliance.extensions import db
from compliance.models import Location, StorageArea
from compliance.permissions import holds
from compliance.seeds import FIRST_STORAGE_AREA
from compliance.services import temperature_imports, temperatures

READ_DAYS = 21
READ_AT = (time(9), time(17, 30))
FRIDGE = "medicines fridge"
# The first location's drug cupboard: too warm one evening (the heating was left on high),
# and not read at all one day.
CUPBOARD = FIRST_STORAGE_AREA["id"]
EXCURSION = (12, READ_AT[1], Decimal("27.5"))
UNREAD_DAYS_AGO = 9
LOGGER_EVERY = timedelta(minutes=30)


def _areas(kind_is_fridge: bool) -> list[StorageArea]:
    query = (select(StorageArea).join(Location, Location.id == StorageArea.location_id)
             .where(StorageArea.active.is_(True), Location.active.is_(True))
             .order_by(StorageArea.id))
    return [area for area in db.session.scalars(query) if (area.kind == FRIDGE) == kind_is_fridge]


def _staff(made: dict, area: StorageArea, capability: str, *emails: str):
    """The first of the demo's people who works at the area's location and may do this (asked
    of the account's roles: outside a request nobody is signed in)."""
    for email in emails:
        user = made["users"].get(email)
        if user and holds(user, capability) and locations.works_at(user, area.location_id):
            return user
    return None


def _value(area: StorageArea, days_ago: int, at: time) -> Decimal:
    """The middle of the area's range, give or take half a degree, repeatably."""
    if (area.id, days_ago, at) == (CUPBOARD, EXCURSION[0], EXCURSION[1]):
        return EXCURSION[2]
    middle = (area.min_temp_c + area.max_temp_c) / 2
    return middle + Decimal((days_ago * 7 + at.hour + area.id) % 11 - 5) / 10


def _read(made: dict, days_ago: int, at: time) -> None:
    for area in _areas(kind_is_fridge=False):
        if area.id == CUPBOARD and days_ago == UNREAD_DAYS_AGO:
            continue
        reader = _staff(made, area, "record_temperature", NURSE, DOCTOR, MANAGER)
        if reader is not None:
            temperatures.record_reading(reader, temperatures.Reading(
                area.id, _value(area, days_ago, at), clock.utcnow()))


def logger_file(first: date, last: date) -> bytes:
    """A fridge logger's export: a line about the logger, a header, then a reading every
    half hour of the days `first` to `last`, in the clinic's time and with a decimal comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Logger", "FRIDGE-01 serial 40021987"])
    writer.writerow(["Date/Time", "Temperature (°C)"])
    start = moment = datetime.combine(first, time.min)
    while moment.date() <= last:
        # A day's swing as the room warms and cools, and the compressor's shorter cycle.
        hours = (moment - start).total_seconds() / 3600
        wave = 5 + 0.8 * math.sin(2 * math.pi * hours / 24) + 0.3 * math.sin(hours * 4)
        writer.writerow([f"{moment:%d/%m/%Y %H:%M}", f"{wave:.1f}".replace(".", ",")])
        moment += LOGGER_EVERY
    return ("\ufeff" + out.getvalue()).encode()


def _import_fridge_logs(made: dict, today: date) -> None:
    for area in _areas(kind_is_fridge=True):
        manager = _staff(made, area, "import_temperatures", MANAGER, DOCTOR)
        if manager is None:
            continue
        content = logger_file(today - timedelta(days=READ_DAYS), today - timedelta(days=1))
        upload = temperature_imports.upload(manager, area.id, "fridge-logger.csv", content)
        shown = temperature_imports.preview_of(upload)
        temperature_imports.confirm(manager, upload.token, upload.sha256, shown.digest)


def temperature_steps(made: dict, today: date) -> list[Step]:
    """A reading morning and evening for the last READ_DAYS days, and this morning's import
    of each fridge logger's file."""
    steps = [Step(days_ago, at, partial(_read, made, days_ago, at))
             for days_ago in range(READ_DAYS, 0, -1) for at in READ_AT]
    return steps + [Step(0, time(8, 30), partial(_import_fridge_logs, made, today))]

