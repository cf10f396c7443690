"""Report 6, prescriber activity: treatment sessions and volumes per prescriber per month, at
each location (D7)."""

from dataclasses import dataclass

from sqlalchemy import extract, func, select

from compliance.extensions import db
from compliance.models import Injection, Location, TreatmentSession, User
from compliance.models.treatment import VOIDED, standing
from compliance.models.user import registration_text
from compliance.services.reports.common import (
    Filters,
    Listing,
    Result,
    at_locations,
    between_days,
    page_in_python,
    sort_in_python,
)

SORTS = {"month": "Month", "prescriber_name": "Prescriber", "location": "Location",
         "sessions": "Sessions", "volume_ul": "Volume"}


@dataclass
class ActivityRow:
    month: str
    prescriber_id: int
    prescriber_name: str
    registration: str
    location: str = ""
    sessions: int = 0
    volume_ul: int = 0
    corrected: bool = False


def _month_of(column):
    """(year, month) of a date column: EXTRACT, which SQLAlchemy writes for SQLite too."""
    return extract("year", column), extract("month", column)


def _volumes(filters: Filters) -> dict[tuple[int, int, int, int], int]:
    months = _month_of(TreatmentSession.session_date)
    query = (select(TreatmentSession.prescriber_id, TreatmentSession.location_id, *months,
                    func.sum(Injection.volume_ul))
             .join(Injection, Injection.session_id == TreatmentSession.id)
             .where(standing())
             .group_by(TreatmentSession.prescriber_id, TreatmentSession.location_id, *months))
    query = _narrow(query, filters)
    return {(who, where, int(year), int(month)): int(ul or 0)
            for who, where, year, month, ul in db.session.execute(query)}


def _narrow(query, filters: Filters):
    query = at_locations(between_days(query, TreatmentSession.session_date, filters),
                         TreatmentSession.location_id, filters)
    if filters.prescriber_id:
        query = query.where(TreatmentSession.prescriber_id == filters.prescriber_id)
    return query


def rows_by_month(filters: Filters) -> list[ActivityRow]:
    """One row per prescriber per location per month, grouped in SQL (a month of the
    group's sessions by day was 30,000 rows to add up here); a voided session was no
    treatment and is not counted."""
    months = _month_of(TreatmentSession.session_date)
    query = (select(TreatmentSession.prescriber_id, TreatmentSession.location_id, *months,
                    User.full_name, User.register, User.registration_number, Location.name,
                    func.count())
             .join(User, User.id == TreatmentSession.prescriber_id)
             .join(Location, Location.id == TreatmentSession.location_id)
             .where(TreatmentSession.status != VOIDED)
             .group_by(TreatmentSession.prescriber_id, TreatmentSession.location_id, *months,
                       User.full_name, User.register, User.registration_number, Location.name))
    volumes, rows = _volumes(filters), []
    for who, where, year, month, name, register, number, place, sessions in db.session.execute(
            _narrow(query, filters)):
        key = (who, where, int(year), int(month))
        rows.append(ActivityRow(f"{key[2]:04d}-{key[3]:02d}", who, name,
                                registration_text(register, number), place,
                                sessions=sessions, volume_ul=volumes.get(key, 0)))
    return rows


def report(filters: Filters, listing: Listing) -> Result:
    rows = rows_by_month(filters)
    ordered_rows = sort_in_python(rows, listing.sort, listing.descending)
    return Result(page_in_python(ordered_rows, listing), len(rows), {
        "sessions": sum(r.sessions for r in rows), "volume_ul": sum(r.volume_ul for r in rows),
        "prescribers": len({r.prescriber_id for r in rows})}, {"all_rows": rows})
