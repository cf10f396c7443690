"""Time: stored in UTC, shown in the clinic's time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from compliance.settings import setting


def utcnow() -> datetime:
    """The server's current time, timezone-aware UTC."""
    return datetime.now(UTC)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(setting("CLINIC_TIMEZONE"))


def to_local(moment: datetime | None) -> datetime | None:
    """A stored UTC time in the clinic's time zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clinic_zone())


def local_today() -> date:
    """Today's calendar date in the clinic."""
    return utcnow().astimezone(clinic_zone()).date()


def start_of_local_day(day: date) -> datetime:
    """The UTC instant at which `day` begins in the clinic."""
    return datetime.combine(day, time.min, tzinfo=clinic_zone()).astimezone(UTC)


def end_of_local_day(day: date) -> datetime:
    """The UTC instant at which `day` ends in the clinic (the next day's start)."""
    return start_of_local_day(day + timedelta(days=1))
