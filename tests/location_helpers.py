"""Locations for tests of scope (D7): a second location, and users assigned to chosen ones."""

from compliance.extensions import db
from compliance.models import Location, StorageArea, UserLocation
from tests.factories import make_user


def make_location(name: str = "Harbour Street", regulator_id: str = "1-000000002") -> Location:
    """A committed location with a locked cupboard."""
    location = Location(name=name, address=f"2 {name}", regulator_id=regulator_id)
    location.storage_areas.append(StorageArea(name="Cupboard", kind="locked cupboard",
                                              min_temp_c=15, max_temp_c=25))
    db.session.add(location)
    db.session.commit()
    return location


def assign(user, *location_ids: int):
    """Make `user` work at the given locations only (no longer group-wide)."""
    user.all_locations = False
    for location_id in location_ids:
        db.session.add(UserLocation(user_id=user.id, location_id=location_id))
    db.session.commit()
    return user


def user_at(kind: str, *location_ids: int, **fields):
    """A user of `kind` (tests.factories.ROLE_PROFILES) working at the given locations."""
    return assign(make_user(kind, **fields), *location_ids)
