"""What every report shares: filters, sorting and pages, corrected-record marks, chunking."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, select

from compliance.clock import end_of_local_day, local_today, start_of_local_day
from compliance.extensions import db
from compliance.models import AuditEvent, Location, TreatmentSession

PAGE_SIZE = 50
CHUNK = 500


@dataclass(frozen=True)
class Filters:
    """The filters a person chose; a report uses those that apply to it."""

    date_from: date | None = None
    date_to: date | None = None
    prescriber_id: int | None = None
    product_id: int | None = None
    batch_id: int | None = None
    patient_id: int | None = None
    # Compliance exceptions only: REVIEWED or UNREVIEWED ones, or None for both.
    review: str | None = None
    # The locations whose records are shown (D7; None: every location), and whether records
    # that belong to no location (a refused attempt, an event about a patient) are shown
    # with theirs: yes for all the locations of a scope, no for one location chosen.
    location_ids: frozenset[int] | None = None
    group_wide: bool = True

    @property
    def chosen(self) -> "Filters":
        """The filters a person chose among the records, the scope left aside."""
        return replace(self, review=None, location_ids=None, group_wide=True)


@dataclass(frozen=True)
class Listing:
    """Sort key, direction and page (None: every row, for exports)."""

    sort: str
    descending: bool = False
    page: int | None = 1

    @property
    def offset(self) -> int:
        return ((self.page or 1) - 1) * PAGE_SIZE


@dataclass
class Result:
    """Rows of one page, how many rows match in all, and totals over all of them."""

    rows: list
    count: int
    totals: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def last_twelve_months_start() -> date:
    """The first day of the month a year ago: where a recent view starts."""
    start = local_today().replace(day=1)
    return start.replace(year=start.year - 1)


def between_days(query: Select, column, filters: Filters) -> Select:
    """Limit a calendar-date column to the filters' date range."""
    if filters.date_from:
        query = query.where(column >= filters.date_from)
    if filters.date_to:
        query = query.where(column <= filters.date_to)
    return query


def at_locations(query: Select, column, filters: Filters) -> Select:
    """Limit a location column to the filters' locations."""
    if filters.location_ids is None:
        return query
    return query.where(column.in_(filters.location_ids))


def location_names() -> dict[int, str]:
    """Every location's name by id (a report names where each row happened)."""
    return dict(db.session.execute(select(Location.id, Location.name)).all())


def between_moments(query: Select, column, filters: Filters) -> Select:
    """Limit a UTC timestamp column to the clinic-local days of the date range."""
    if filters.date_from:
        query = query.where(column >= start_of_local_day(filters.date_from))
    if filters.date_to:
        query = query.where(column < end_of_local_day(filters.date_to))
    return query


def ordered(query: Select, columns: dict, listing: Listing, tiebreak) -> Select:
    column = columns[listing.sort]
    first = column.desc() if listing.descending else column.asc()
    return query.order_by(first, tiebreak.desc() if listing.descending else tiebreak)


def paged(query: Select, listing: Listing) -> Select:
    if listing.page is None:
        return query
    return query.limit(PAGE_SIZE).offset(listing.offset)


def in_chunks(query: Select) -> Iterator[list]:
    """Every row of `query`, fetched CHUNK rows at a time from one streaming cursor (flat
    memory for big exports; no OFFSET, which rescans what it skips)."""
    result = db.session.execute(query.execution_options(yield_per=CHUNK))
    yield from result.partitions()


def sort_in_python(rows: list, key: str, descending: bool, tie: str | None = None) -> list:
    """Sort plain rows (dataclasses) by an attribute; None sorts first; equal values by the
    attribute `tie` when given (in the same direction), else as they came."""
    def value(row):
        first = getattr(row, key)
        return (first is not None, first, getattr(row, tie)) if tie else (first is not None, first)
    return sorted(rows, key=value, reverse=descending)


def page_in_python(rows: list, listing: Listing) -> list:
    if listing.page is None:
        return rows
    return rows[listing.offset:listing.offset + PAGE_SIZE]


def corrected_ids(table_name: str, ids, routine: frozenset[str] = frozenset()) -> set[int]:
    """Records of `table_name` changed after they were first entered: an audit "update"
    event that touches a field other than the `routine` ones (sign-off, running balances)."""
    keys = [str(i) for i in ids]
    if not keys:
        return set()
    found = set()
    rows = db.session.execute(
        select(AuditEvent.record_id, AuditEvent.changes)
        .where(AuditEvent.table_name == table_name, AuditEvent.action == "update",
               AuditEvent.record_id.in_(keys)))
    for record_id, changes in rows:
        if set(json.loads(changes or "{}")) - routine:
            found.add(int(record_id))
    return found


def for_prescriber(query, filters: Filters):
    """Sessions' rows by the chosen prescriber, at the chosen locations."""
    query = at_locations(query, TreatmentSession.location_id, filters)
    if filters.prescriber_id:
        query = query.where(TreatmentSession.prescriber_id == filters.prescriber_id)
    return query
