"""Storage temperature exceptions (D7) for the compliance exceptions report: a day an area had
readings out of its range, a day it had none, and a reading typed in late; each names the
batches stored in the area now, which a manager may quarantine."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from compliance.clock import end_of_local_day, local_today, start_of_local_day, to_local
from compliance.database import one_of
from compliance.extensions import db
from compliance.models import StorageArea, TemperatureReading, User
from compliance.models.temperature import MANUAL
from compliance.rules import flags
from compliance.rules.flags import FLAG_LABELS
from compliance.rules.temperature import (
    ReadingFacts,
    days_without_reading,
    excursion_detail,
    last_day_watched,
    out_of_range,
    range_words,
)
from compliance.services import temperature_queries as queries
from compliance.services.reports.common import Filters, between_moments
from compliance.services.rule_facts import entry_timing
from compliance.services.temperatures import corrected_ids

OUT_OF_RANGE = "Storage temperature out of range"
NO_READING = "No storage temperature reading"
LATE_ENTRY = FLAG_LABELS["late_entry"]
# The exceptions that name the batches stored in the area: those a manager may quarantine.
STORED_KINDS = (OUT_OF_RANGE, NO_READING)


@dataclass(frozen=True)
class TemperatureException:
    day: date
    kind: str
    subject: str
    detail: str
    who: str
    page: tuple[str, int]
    key: str
    batches: tuple[queries.StoredBatch, ...] = ()
    what: str = ""  # the detail without the batches: a quarantine's reason

    def reason(self) -> str:
        """Why the batches stored there would be quarantined, in the exception's words."""
        return f"{self.kind} in {self.subject} on {self.day:%d %b %Y}: {self.what}"


def _stored_words(batches) -> str:
    if not batches:
        return "; no batch is stored there now"
    return "; stored there now: batch " + ", ".join(b.batch_number for b in batches)


def _excursions(filters: Filters, areas: dict[int, StorageArea]) -> list[tuple]:
    """(area, clinic day, its readings out of range): narrowed in SQL, decided by the rule."""
    r, a = TemperatureReading, StorageArea
    query = between_moments(
        select(r.storage_area_id, r.taken_at, r.temperature_c).join(a, a.id == r.storage_area_id)
        .where(one_of(r.storage_area_id, areas),
               or_(r.temperature_c < a.min_temp_c, r.temperature_c > a.max_temp_c),
               r.id.not_in(corrected_ids())), r.taken_at, filters)
    days: dict[tuple[int, date], list[ReadingFacts]] = defaultdict(list)
    for area_id, taken_at, temperature in db.session.execute(query):
        area = areas[area_id]
        if out_of_range(temperature, area.min_temp_c, area.max_temp_c):
            local = to_local(taken_at)
            days[area_id, local.date()].append(ReadingFacts(local, temperature))
    return [(areas[area_id], day, found) for (area_id, day), found in days.items()]


def _watched_until(area: StorageArea, yesterday: date) -> date | None:
    """The last day `area` is expected to have a reading, or None for an area deactivated
    without a date (never watched)."""
    ended = [moment for moment in (area.deactivated_at, area.location.deactivated_at) if moment]
    if not (area.active and area.location.active) and not ended:
        return None
    return last_day_watched(yesterday, min(to_local(m).date() for m in ended) if ended else None)


def _windows(filters: Filters, areas: dict[int, StorageArea]) -> dict[int, tuple[date, date]]:
    """{area id: the first and last day to look for a reading on}, within the filters."""
    yesterday = local_today() - timedelta(days=1)
    windows = {}
    for area_id, first in queries.first_reading_days(list(areas)).items():
        until = _watched_until(areas[area_id], yesterday)
        if until is None:
            continue
        start = max(first, filters.date_from or first)
        end = min(until, filters.date_to or until)
        if start <= end:
            windows[area_id] = (start, end)
    return windows


def _missing_days(filters: Filters, areas: dict[int, StorageArea]) -> list[tuple]:
    """(area, day) of each day without a reading."""
    windows = _windows(filters, areas)
    if not windows:
        return []
    since = start_of_local_day(min(start for start, _ in windows.values()))
    until = end_of_local_day(max(end for _, end in windows.values()))
    found = queries.days_with_readings(list(windows), since, until)
    return [(areas[area_id], day) for area_id, (start, end) in windows.items()
            for day in days_without_reading(start, end, found.get(area_id, set()))]


def _late_readings(filters: Filters, areas: dict[int, StorageArea]) -> list[tuple]:
    """(area, reading, who, flag) of each reading typed in more than the late limit after
    its day (a logger's readings are its own record of the time: never late)."""
    r = TemperatureReading
    query = between_moments(
        select(r, User.full_name).join(User, User.id == r.recorded_by_id)
        .where(one_of(r.storage_area_id, areas), r.source == MANUAL,
               queries.utc_day(r.recorded_at) > queries.utc_day(r.taken_at)),
        r.recorded_at, filters)
    if filters.prescriber_id:
        query = query.where(r.recorded_by_id == filters.prescriber_id)
    found = []
    for reading, who in db.session.execute(query):
        area = areas[reading.storage_area_id]
        flag = flags.late_entry(entry_timing(f"Temperature reading of {area.name}",
                                             to_local(reading.taken_at).date(),
                                             reading.recorded_at))
        if flag is not None:
            found.append((area, reading, who, flag))
    return found


def _late_rows(filters: Filters, areas: dict) -> list[TemperatureException]:
    return [TemperatureException(to_local(reading.recorded_at).date(), LATE_ENTRY, str(area),
                                 flag.detail, who, ("storage_area", area.id),
                                 f"late-reading-{reading.id}")
            for area, reading, who, flag in _late_readings(filters, areas)]


def _excursion_rows(excursions: list[tuple]) -> list[TemperatureException]:
    rows = []
    for area, day, readings in excursions:
        detail = excursion_detail(readings, area.min_temp_c, area.max_temp_c)
        rows.append(TemperatureException(day, OUT_OF_RANGE, str(area), detail, "",
                                         ("storage_area", area.id),
                                         f"temperature-{area.id}-{day:%Y%m%d}", what=detail))
    return rows


def _missing_rows(missing: list[tuple]) -> list[TemperatureException]:
    rows = []
    for area, day in missing:
        detail = (f"No reading on {day:%d %b %Y} (range "
                  f"{range_words(area.min_temp_c, area.max_temp_c)})")
        rows.append(TemperatureException(day, NO_READING, str(area), detail, "",
                                         ("storage_area", area.id),
                                         f"no-reading-{area.id}-{day:%Y%m%d}", what=detail))
    return rows


def with_stored_batches(rows: list) -> list:
    """`rows` (these exceptions, or the report's rows of them) with the batches stored now in
    the area of each excursion or day without a reading, named at the end of its detail (so
    once a row). Read for the rows shown only: an area of a national provider stores
    hundreds of batches."""
    areas = sorted({row.page[1] for row in rows if row.kind in STORED_KINDS})
    stored = queries.stored_batches(areas)
    return [replace(row, batches=tuple(stored.get(row.page[1], ())),
                    detail=row.detail + _stored_words(stored.get(row.page[1])))
            if row.kind in STORED_KINDS else row for row in rows]


def find(day: date, key: str) -> TemperatureException | None:
    """The storage temperature exception named `key` dated `day`, or None (without the batches
    stored: its `reason` needs none)."""
    return next((row for row in bare_exceptions(Filters(date_from=day, date_to=day))
                 if row.key == key), None)


def bare_exceptions(filters: Filters) -> list[TemperatureException]:
    """Every storage temperature exception of the filters' dates, without the batches stored
    (`with_stored_batches`); excursions and missing days are no one's doing, so a filter on a
    person leaves only late readings."""
    query = select(StorageArea).options(joinedload(StorageArea.location))
    if filters.location_ids is not None:
        query = query.where(StorageArea.location_id.in_(filters.location_ids))
    # Each area's location with it: read one by one, 250 locations were 250 statements.
    areas = {area.id: area for area in db.session.scalars(query)}
    if not areas:
        return []
    rows = _late_rows(filters, areas)
    if filters.prescriber_id:
        return rows
    return (rows + _excursion_rows(_excursions(filters, areas))
            + _missing_rows(_missing_days(filters, areas)))
