"""Where a user works (D7): the locations they may act at, and the one they act at now.

Someone assigned to one location never chooses it; someone at several (or a group-wide user)
picks the current one in the header, kept in their session.
"""

from flask import has_request_context, session
from sqlalchemy import select

from compliance.errors import NotPermitted
from compliance.extensions import db
from compliance.models.location import Location, UserLocation

CHOSEN = "location_id"


def working_locations(user) -> list[Location]:
    """The active locations `user` works at, by name: every one for a group-wide user."""
    query = select(Location).where(Location.active.is_(True)).order_by(Location.name)
    if not user.all_locations:
        query = query.join(UserLocation, UserLocation.location_id == Location.id).where(
            UserLocation.user_id == user.id)
    return list(db.session.scalars(query))


def works_at(user, location_id: int) -> bool:
    return any(location.id == location_id for location in working_locations(user))


def current_location(user) -> Location | None:
    """The location `user` acts at now: the one chosen in this session if they still work
    there, else the first they work at; None for someone assigned nowhere."""
    choices = working_locations(user)
    chosen = session.get(CHOSEN) if has_request_context() else None
    for location in choices:
        if location.id == chosen:
            return location
    return choices[0] if choices else None


def choose(user, location_id: int) -> bool:
    """Make `location_id` the current location of this session, if `user` works there."""
    if not works_at(user, location_id):
        return False
    session[CHOSEN] = location_id
    return True


def acting_location_id(user) -> int:
    """Where `user` acts now; refused for someone assigned to no location."""
    location = current_location(user)
    if location is None:
        raise NotPermitted("You are not assigned to a location: ask a manager to assign you.")
    return location.id


def visible_location_ids(user) -> frozenset[int] | None:
    """The locations whose records `user` may see, deactivated ones included; None for a
    group-wide user (every location). A record elsewhere is answered as not found (D7)."""
    if user.all_locations:
        return None
    return frozenset(db.session.scalars(select(UserLocation.location_id)
                                        .where(UserLocation.user_id == user.id)))


def can_see(user, location_id: int | None) -> bool:
    visible = visible_location_ids(user)
    return visible is None or location_id in visible
