"""Storage temperatures for tests: readings at times relative to now, a second location with
a fridge, and logger files."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from compliance.clock import clinic_zone, local_today, utcnow
from compliance.extensions import db
from compliance.models import StorageArea, TemperatureReading
from compliance.services import temperatures
from tests.location_helpers import make_location

CUPBOARD = 1  # the first location's drug cupboard: 15.0 to 25.0 °C


def minutes_ago(minutes: int) -> datetime:
    return utcnow().replace(second=0, microsecond=0) - timedelta(minutes=minutes)


def local_at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """An instant `days_ago` clinic days back, at a clinic-local clock time."""
    day = local_today() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), tzinfo=clinic_zone())


def read(user, value: str, taken_at: datetime, area_id: int = CUPBOARD) -> TemperatureReading:
    return temperatures.record_reading(user, temperatures.Reading(area_id, Decimal(value),
                                                                  taken_at))


def reading_count() -> int:
    return db.session.scalar(select(func.count()).select_from(TemperatureReading))


def second_location(*workers) -> StorageArea:
    """A second location with a medicines fridge (2.0 to 8.0 °C), where `workers` work; its
    fridge."""
    return make_location(areas=("Fridge",), workers=workers).storage_areas[0]


def logger_csv(*lines: str, header: str = "Timestamp,Temperature (°C)") -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


def at_text(moment: datetime) -> str:
    """An instant as a logger writes it: the clinic's clock, ISO."""
    return moment.astimezone(clinic_zone()).strftime("%Y-%m-%d %H:%M")
