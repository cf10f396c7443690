"""Report 6, prescriber activity: treatment sessions and volumes per prescriber per month."""

from dataclasses import dataclass

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import Injection, InjectionReversal, TreatmentSession, User
from compliance.models.treatment import VOIDED
from compliance.services.reports.common import (
    Filters,
    Listing,
    Result,
    between_days,
    page_in_python,
    sort_in_python,
)

SORTS = {"month": "Month", "prescriber_name": "Prescriber", "sessions": "Sessions",
         "volume_ul": "Volume"}


@dataclass
class ActivityRow:
    month: str
    prescriber_id: int
    prescriber_name: str
    registration: str
    sessions: int = 0
    volume_ul: int = 0
    corrected: bool = False


def _volumes(filters: Filters) -> dict[tuple[int, object], int]:
    query = (select(TreatmentSession.prescriber_id, TreatmentSession.session_date,
                    func.sum(Injection.volume_ul))
             .join(Injection, Injection.session_id == TreatmentSession.id)
             .outerjoin(InjectionReversal, InjectionReversal.injection_id == Injection.id)
             .where(InjectionReversal.id.is_(None))
             .group_by(TreatmentSession.prescriber_id, TreatmentSession.session_date))
    query = _narrow(between_days(query, TreatmentSession.session_date, filters), filters)
    return {(who, day): int(ul or 0) for who, day, ul in db.session.execute(query)}


def _narrow(query, filters: Filters):
    if filters.prescriber_id:
        query = query.where(TreatmentSession.prescriber_id == filters.prescriber_id)
    return query


def rows_by_month(filters: Filters) -> list[ActivityRow]:
    """One row per prescriber per month: grouped by day in SQL (portable), by month here;
    a voided session was no treatment and is not counted."""
    query = (select(TreatmentSession.prescriber_id, TreatmentSession.session_date, User.full_name,
                    User.register, User.registration_number, func.count())
             .join(User, User.id == TreatmentSession.prescriber_id)
             .where(TreatmentSession.status != VOIDED)
             .group_by(TreatmentSession.prescriber_id, TreatmentSession.session_date,
                       User.full_name, User.register, User.registration_number))
    query = _narrow(between_days(query, TreatmentSession.session_date, filters), filters)
    volumes, months = _volumes(filters), {}
    for who, day, name, register, number, sessions in db.session.execute(query):
        key = (f"{day:%Y-%m}", who)
        registration = f"{register or ''} {number}".strip() if number else ""
        row = months.setdefault(key, ActivityRow(key[0], who, name, registration))
        row.sessions += sessions
        row.volume_ul += volumes.get((who, day), 0)
    return list(months.values())


def report(filters: Filters, listing: Listing) -> Result:
    rows = rows_by_month(filters)
    ordered_rows = sort_in_python(rows, listing.sort, listing.descending)
    return Result(page_in_python(ordered_rows, listing), len(rows), {
        "sessions": sum(r.sessions for r in rows), "volume_ul": sum(r.volume_ul for r in rows),
        "prescribers": len({r.prescriber_id for r in rows})}, {"all_rows": rows})
