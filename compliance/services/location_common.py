"""What the workflows of locations and storage areas share: a reason for each change, a
location still in use, and names kept unique under concurrent requests."""

from sqlalchemy.exc import IntegrityError

from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.inputs import text_problem
from compliance.models.location import Location
from compliance.services import reread

MAX_REASON = 500


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for the change.", field="reason")
    problem = text_problem(reason, MAX_REASON, multiline=True)
    if problem:
        raise InvalidInput(problem, field="reason")
    return reason


def active_location(location_id: int) -> Location:
    """The location, re-read and locked for this transaction; refused once deactivated."""
    location = reread(Location, location_id, "No such location.", lock=True)
    if not location.active:
        raise InvalidInput(f"{location.name} was deactivated: it is kept as it was and no "
                           "longer changed.")
    return location


def flush_unique(message: str, field: str) -> None:
    """Write now, so that a name a concurrent request took meanwhile is refused with a
    message (and the unit of work rolls back) rather than failing at commit."""
    try:
        db.session.flush()
    except IntegrityError as error:
        raise InvalidInput(message, field=field) from error
