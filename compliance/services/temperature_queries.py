"""Reading storage temperatures (D7): the areas a user sees, an area's readings over a period,
the days each area has a reading on, and the batches stored in each area."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache

from sqlalchemy import Date, cast, func, select

from compliance import locations
from compliance.clock import clinic_zone, end_of_local_day, start_of_local_day
from compliance.database import on_postgresql, one_of, rows_where_in
from compliance.extensions import db
from compliance.models import (
    Batch,
    BatchStock,
    Location,
    Product,
    StorageArea,
    TemperatureReading,
)
from compliance.rules.temperature import out_of_range
from compliance.services.temperatures import corrected_ids


@dataclass(frozen=True)
class StoredBatch:
    """A batch with stock in a storage area now."""

    id: int
    batch_number: str
    product_name: str
    state: str
    balance_ul: int


@dataclass(frozen=True)
class AreaSummary:
    area: StorageArea
    latest: TemperatureReading | None

    @property
    def latest_out_of_range(self) -> bool:
        latest, area = self.latest, self.area
        return latest is not None and out_of_range(latest.temperature_c, area.min_temp_c,
                                                   area.max_temp_c)


def visible_areas(user, active_only: bool = False) -> list[StorageArea]:
    """The storage areas of the locations `user` may see, by location and name."""
    query = (select(StorageArea).join(Location, Location.id == StorageArea.location_id)
             .order_by(Location.name, StorageArea.name))
    visible = locations.visible_location_ids(user)
    if visible is not None:
        query = query.where(StorageArea.location_id.in_(visible))
    if active_only:
        query = query.where(StorageArea.active.is_(True), Location.active.is_(True))
    return list(db.session.scalars(query))


def areas_here(user) -> list[StorageArea]:
    """The active storage areas of `user`'s current location: where they take readings."""
    here = locations.current_location(user)
    if here is None:
        return []
    return [area for area in here.storage_areas if area.active]


def summaries(user) -> list[AreaSummary]:
    """Each storage area `user` sees, with its latest reading (one look-up each through the
    index on area and time: a provider has tens of areas, not thousands)."""
    return [AreaSummary(area, latest_reading(area.id)) for area in visible_areas(user)]


def latest_reading(area_id: int) -> TemperatureReading | None:
    return db.session.scalar(
        select(TemperatureReading).where(TemperatureReading.storage_area_id == area_id,
                                         TemperatureReading.id.not_in(corrected_ids()))
        .order_by(TemperatureReading.taken_at.desc(), TemperatureReading.id.desc()).limit(1))


def readings(area_id: int, date_from: date, date_to: date) -> list[TemperatureReading]:
    """The area's readings taken on the clinic days `date_from` to `date_to`, corrected ones
    too, oldest first."""
    return list(db.session.scalars(
        select(TemperatureReading).where(
            TemperatureReading.storage_area_id == area_id,
            TemperatureReading.taken_at >= start_of_local_day(date_from),
            TemperatureReading.taken_at < end_of_local_day(date_to))
        .order_by(TemperatureReading.taken_at, TemperatureReading.id)))


def corrections_in(area_id: int) -> dict[int, TemperatureReading]:
    """{corrected reading's id: the reading that corrects it}, for an area (corrections are
    few: one query, whatever the period)."""
    return {row.corrects_id: row for row in db.session.scalars(
        select(TemperatureReading).where(TemperatureReading.storage_area_id == area_id,
                                         TemperatureReading.corrects_id.is_not(None)))}


def utc_day(column):
    """The UTC date of a stored UTC time, in SQL."""
    if on_postgresql():
        return cast(column, Date)
    return func.date(column)


def days_with_readings(area_ids: list[int], since: datetime | None = None,
                       until: datetime | None = None) -> dict[int, set[date]]:
    """{area id: the clinic days with a reading that counts}, between two UTC instants when
    given."""
    r = TemperatureReading
    query = select(r.storage_area_id).where(one_of(r.storage_area_id, area_ids),
                                            r.id.not_in(corrected_ids()))
    if since is not None:
        query = query.where(r.taken_at >= since)
    if until is not None:
        query = query.where(r.taken_at < until)
    bind, zone = db.session.get_bind(), clinic_zone()
    if bind.dialect.name == "postgresql" and _database_reads_zone(bind, zone.key):
        return _days_in_sql(query, zone.key)
    return _days_from_utc_days(query, zone)


@lru_cache(maxsize=16)
def _database_reads_zone(bind, key: str) -> bool:
    """Whether PostgreSQL's timezone() reads `key` as the zone Python does. It takes a name
    for an abbreviation first (CET is +01:00 all year there, a zone with summer time here),
    and its own tz database may not know a zone newer than Python's: then Python converts.
    (Both are trusted to hold the same rules for a zone they both know.) Asked once a
    process, on a driver connection of its own: no request's transaction or statements."""
    connection = bind.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_timezone_names WHERE name = %(key)s) AND NOT EXISTS "
            "(SELECT FROM pg_timezone_abbrevs WHERE lower(abbrev) = lower(%(key)s))",
            {"key": key})
        return bool(cursor.fetchone()[0])
    finally:
        connection.close()


def _days_in_sql(query, zone_key: str) -> dict[int, set[date]]:
    """As `days_with_readings`, each reading's clinic day found by the database: a group's
    month is some 10,000 area-days, and converting two times of each in Python was 190 ms of
    a 220 ms read."""
    r = TemperatureReading
    day = cast(func.timezone(zone_key, func.timezone("UTC", r.taken_at)), Date)
    found: dict[int, set[date]] = defaultdict(set)
    for area_id, local_day in db.session.execute(query.add_columns(day).distinct()):
        found[area_id].add(local_day)
    return found


def _days_from_utc_days(query, zone: tzinfo) -> dict[int, set[date]]:
    """As `days_with_readings` where the database knows no time zones: each UTC day's first
    and last reading, converted here; a UTC day spans at most two clinic days, and its first
    and last reading fall on each it has readings on."""
    r = TemperatureReading
    query = (query.add_columns(func.min(r.taken_at), func.max(r.taken_at))
             .group_by(r.storage_area_id, utc_day(r.taken_at)))
    found: dict[int, set[date]] = defaultdict(set)
    for area_id, first, last in db.session.execute(query):
        found[area_id] |= {_local_day(first, zone), _local_day(last, zone)}
    return found


def _local_day(moment, zone: tzinfo) -> date:
    # min() and max() over a TypeDecorator column come back as the database gives them.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return clinic_day(moment, zone)


def clinic_day(moment: datetime, zone: tzinfo) -> date:
    """The day in `zone` of a UTC time (naive times are UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    slot = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return _slot_day(slot, zone)


@lru_cache(maxsize=8192)
def _slot_day(slot: datetime, zone: tzinfo) -> date:
    """The day in `zone` of a quarter-hour of UTC time. Every time zone's offset, and every
    change of it, falls on a quarter-hour, so a quarter-hour lies within one clinic day: one
    conversion per quarter-hour, not per reading (a national group's month of readings was
    19,000 conversions a page)."""
    return slot.replace(tzinfo=UTC).astimezone(zone).date()


def first_reading_days(area_ids: list[int]) -> dict[int, date]:
    """{area id: the clinic day of its first reading that counts}: one look per area through
    the index on area and time (a minimum over every reading of 300 areas took 45 ms)."""
    r = TemperatureReading
    first = (select(func.min(r.taken_at))
             .where(r.storage_area_id == StorageArea.id, r.id.not_in(corrected_ids()))
             .scalar_subquery())
    query = select(StorageArea.id, first).where(one_of(StorageArea.id, area_ids))
    zone = clinic_zone()
    return {area_id: _local_day(moment, zone) for area_id, moment in db.session.execute(query)
            if moment is not None}


def stored_batches(area_ids: list[int]) -> dict[int, list[StoredBatch]]:
    """{area id: the batches holding stock there now, by batch number}: the parts first,
    then their batches by key (one join let the planner read every batch of the group)."""
    if not area_ids:
        return {}
    held = db.session.execute(
        select(BatchStock.storage_area_id, BatchStock.batch_id, BatchStock.balance_ul)
        .where(one_of(BatchStock.storage_area_id, area_ids), BatchStock.balance_ul > 0)).all()
    batches = _batches([batch_id for _area, batch_id, _ul in held])
    found: dict[int, list[StoredBatch]] = defaultdict(list)
    for area_id, batch_id, balance_ul in held:
        found[area_id].append(StoredBatch(*batches[batch_id], balance_ul))
    for listed in found.values():
        listed.sort(key=lambda batch: batch.batch_number)
    return found


def _batches(ids: list[int]) -> dict[int, tuple]:
    """{batch id: (id, number, product name, state)}."""
    query = (select(Batch.id, Batch.batch_number, Product.name, Batch.state)
             .join(Product, Product.id == Batch.product_id))
    return {row[0]: tuple(row) for row in rows_where_in(query, Batch.id, ids)}
