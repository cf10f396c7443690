"""Time: stored in UTC, shown in the clinic's time zone."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from compliance.settings import setting

# Set only inside `frozen_at` (the demo's history, tests): None reads the real time. A context
# variable, so another thread or request never sees it.
_frozen: ContextVar[datetime | None] = ContextVar("clock_frozen_at", default=None)


def utcnow() -> datetime:
    """The server's current time, timezone-aware UTC."""
    frozen = _frozen.get()
    return frozen if frozen is not None else datetime.now(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block the clock reads `moment`, a past instant: how the demo records its
    history as it would have been recorded on its day. For the demo loader and tests only."""
    if moment.tzinfo is None:
        raise ValueError("A frozen moment needs its time zone.")
    # Back, never forward: a record dated in the future would slip past the rules that
    # refuse future dates.
    if moment > datetime.now(UTC):
        raise ValueError("The clock can be set back, never forward.")
    token = _frozen.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _frozen.reset(token)


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
