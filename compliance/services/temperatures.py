"""Storage temperature readings (D7) typed in by someone who works at the location, and their
corrections: a wrong reading is corrected by a new one that names it, never edited."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compliance import locations
from compliance.clock import to_local, utcnow
from compliance.errors import InvalidInput, NotPermitted
from compliance.extensions import db
from compliance.models import StorageArea, TemperatureReading
from compliance.models.temperature import MANUAL
from compliance.rules.temperature import degrees, reading_problem, time_problem
from compliance.services import ensure_can, reread
from compliance.services.audit import give_reason
from compliance.services.unit_of_work import unit_of_work


class NotWorkingHere(NotPermitted):
    """Readings are taken by people at the location: a refusal by where one works."""

    rule = "D7 works at the location"


@dataclass(frozen=True)
class Reading:
    """A temperature typed in: where, what and when (an aware time)."""

    storage_area_id: int | None
    temperature_c: Decimal | None
    taken_at: datetime | None


def corrected_ids():
    """The readings a later reading corrects (a subquery): they no longer count."""
    return (select(TemperatureReading.corrects_id)
            .where(TemperatureReading.corrects_id.is_not(None)).scalar_subquery())


def watched_area(actor, area_id: int | None, field: str = "storage_area_id") -> StorageArea:
    """The active storage area `area_id` at a location `actor` works at."""
    area = db.session.get(StorageArea, area_id) if area_id else None
    if area is None or not locations.can_see(actor, area.location_id):
        raise InvalidInput("Choose a storage area.", field=field)
    if not locations.works_at(actor, area.location_id):
        raise NotWorkingHere(f"You do not work at {area.location.name}: readings there are "
                             "taken by its own staff.", field=field)
    if not (area.active and area.location.active):
        raise InvalidInput(f"{area} is deactivated: it takes no readings.", field=field)
    return area


def existing_at(area_id: int, taken_at: datetime) -> TemperatureReading | None:
    """The reading of the area already recorded for that instant, if any (a corrected one
    does not count)."""
    return db.session.scalar(select(TemperatureReading).where(
        TemperatureReading.storage_area_id == area_id, TemperatureReading.taken_at == taken_at,
        TemperatureReading.id.not_in(corrected_ids())).limit(1))


def _checked(reading: Reading, ignored: TemperatureReading | None = None) -> None:
    if reading.temperature_c is None:
        raise InvalidInput("Enter the temperature in °C.", field="temperature_c")
    problem = reading_problem(reading.temperature_c)
    if problem:
        raise InvalidInput(problem, field="temperature_c")
    if reading.taken_at is None:
        raise InvalidInput("Enter the date and time the reading was taken.", field="taken_at")
    problem = time_problem(reading.taken_at, utcnow())
    if problem:
        raise InvalidInput(problem, field="taken_at")
    earlier = existing_at(reading.storage_area_id, reading.taken_at)
    if earlier is not None and earlier is not ignored:
        raise InvalidInput(f"A reading of {degrees(earlier.temperature_c)} is already recorded "
                           f"at {to_local(reading.taken_at):%d %b %Y %H:%M}: correct it "
                           "instead.", field="taken_at")


@unit_of_work("record a storage temperature")
def record_reading(actor, reading: Reading) -> TemperatureReading:
    """A reading typed in by `actor`, who works at the storage area's location."""
    ensure_can(actor, "record_temperature")
    area = watched_area(actor, reading.storage_area_id)
    _checked(reading)
    row = TemperatureReading(storage_area_id=area.id, taken_at=reading.taken_at,
                             temperature_c=reading.temperature_c, source=MANUAL,
                             recorded_by_id=actor.id, recorded_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


@unit_of_work("correct a storage temperature")
def correct_reading(actor, reading_id: int, reading: Reading, reason: str) -> TemperatureReading:
    """A new reading in place of a wrong one (its temperature, or its time), with a reason;
    the wrong one stays, marked as corrected by it."""
    ensure_can(actor, "record_temperature")
    wrong = reread(TemperatureReading, reading_id, "No such reading.", lock=True)
    watched_area(actor, wrong.storage_area_id)
    if (reason or "").strip() == "":
        raise InvalidInput("Say why the reading is wrong.", field="reason")
    if existing_correction(wrong.id) is not None:
        raise InvalidInput("This reading is already corrected: correct its correction.")
    _checked(Reading(wrong.storage_area_id, reading.temperature_c, reading.taken_at), wrong)
    give_reason(reason)
    row = TemperatureReading(storage_area_id=wrong.storage_area_id, taken_at=reading.taken_at,
                             temperature_c=reading.temperature_c, source=MANUAL,
                             recorded_by_id=actor.id, recorded_at=utcnow(), corrects_id=wrong.id,
                             reason=reason.strip())
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as error:  # another correction of it committed meanwhile
        raise InvalidInput("This reading has just been corrected by someone else.") from error
    return row


def existing_correction(reading_id: int) -> TemperatureReading | None:
    return db.session.scalar(select(TemperatureReading)
                             .where(TemperatureReading.corrects_id == reading_id))
