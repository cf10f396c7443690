"""Who works where (D7): the locations an account is assigned to, or all of them (a group-wide
account). A manager assigns people only to locations they work at themselves, and only a
group-wide manager makes an account group-wide."""

from collections.abc import Iterable

from sqlalchemy import func, select

from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models.location import Location, UserLocation
from compliance.services import ensure_can

FIELD = "location_ids"


def active_locations() -> list[Location]:
    return list(db.session.scalars(select(Location).where(Location.active.is_(True))
                                   .order_by(Location.name)))


def assigned_ids(user) -> set[int]:
    """Every location `user` is assigned to, deactivated ones included."""
    if user.id is None:
        return set()
    return set(db.session.scalars(select(UserLocation.location_id)
                                  .where(UserLocation.user_id == user.id)))


def ids_named(names: Iterable[str]) -> set[int]:
    """The active locations called `names` (case aside), refusing a name none has."""
    by_name = {location.name.lower(): location.id for location in active_locations()}
    wanted = [name.strip() for name in names if name.strip()]
    unknown = [name for name in wanted if name.lower() not in by_name]
    if unknown:
        known = "; ".join(location.name for location in active_locations())
        raise InvalidInput(f"No active location is called {', '.join(unknown)} (the locations "
                           f"are: {known}).", field=FIELD)
    return {by_name[name.lower()] for name in wanted}


def check(profile, user=None) -> None:
    """Refuse an assignment to a location that is not active, or to none at all for an active
    account that is not group-wide. At a provider of one location, an account assigned
    nowhere works there (nobody needs to choose it). A profile that names no locations
    (None) leaves an existing account's as they are."""
    if profile.location_ids is None and user is not None:
        return
    profile.location_ids = _chosen(set(profile.location_ids or ()), profile.all_locations)
    needs_one = user is None or user.active
    if needs_one and not (profile.location_ids or profile.all_locations):
        raise InvalidInput("Name the locations this person works at, or make the account "
                           "group-wide (all locations).", field=FIELD)


def _chosen(chosen: set[int], all_locations: bool) -> set[int]:
    active = {location.id for location in active_locations()}
    if chosen - active:
        raise InvalidInput("Choose locations from the active locations.", field=FIELD)
    if not (chosen or all_locations) and len(active) == 1:
        return active
    return chosen


def _ensure_may_assign(actor, user, profile) -> None:
    """Refuse what `actor` may not grant; None is the command line's operator."""
    if actor is None:
        return
    if bool(profile.all_locations) != bool(user.all_locations):
        ensure_can(actor, "create_location", field="all_locations")
    active = {location.id: location for location in active_locations()}
    for location_id in sorted(assigned_ids(user) ^ profile.location_ids):
        if location_id in active:
            ensure_can(actor, "edit_location", active[location_id], field=FIELD)


def assign(actor, user, profile) -> None:
    """Make `user` work where `profile` (checked by `check`) says: group-wide or not, and at
    its active locations; an assignment to a deactivated location stays on record."""
    if profile.location_ids is None:
        return
    _ensure_may_assign(actor, user, profile)
    user.all_locations = bool(profile.all_locations)
    db.session.flush()  # a new account's id
    rows = db.session.scalars(select(UserLocation).join(Location).where(
        UserLocation.user_id == user.id, Location.active.is_(True))).all()
    kept = {row.location_id for row in rows}
    for row in rows:
        if row.location_id not in profile.location_ids:
            db.session.delete(row)
    for location_id in sorted(profile.location_ids - kept):
        db.session.add(UserLocation(user_id=user.id, location_id=location_id))


def names_by_user() -> dict[int, list[str]]:
    """The names of the active locations each account is assigned to, by account id."""
    rows = db.session.execute(
        select(UserLocation.user_id, Location.name).join(Location)
        .where(Location.active.is_(True)).order_by(UserLocation.user_id, func.lower(Location.name)))
    names: dict[int, list[str]] = {}
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return names
