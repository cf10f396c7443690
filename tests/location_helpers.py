"""Helpers for tests of locations (D7): another location, and people who work at given ones."""

from decimal import Decimal

from compliance.extensions import db
from compliance.models import UserLocation
from compliance.services import location_admin
from compliance.services.location_admin import LocationDetails
from compliance.services.storage_areas import AreaDetails
from tests.factories import make_user

CUPBOARD = AreaDetails("Drug cupboard", "locked cupboard", Decimal(15), Decimal(25))


def add_location(manager, name: str = "Quay Road", regulator_id: str | None = None):
    """A new active location with a drug cupboard, added by a group-wide `manager`; its
    default name sorts after the first location's, which stays where a group-wide user acts
    until they choose another."""
    return location_admin.create_location(
        manager, LocationDetails(name, f"2 {name}\nPortsmouth", regulator_id),
        AreaDetails(CUPBOARD.name, CUPBOARD.kind, CUPBOARD.min_temp_c, CUPBOARD.max_temp_c))


def working_at(kind: str, *locations, **fields):
    """A user of `kind` assigned to `locations` only."""
    user = make_user(kind, all_locations=False, **fields)
    for location in locations:
        location_id = location if isinstance(location, int) else location.id
        db.session.add(UserLocation(user_id=user.id, location_id=location_id))
    db.session.commit()
    return user
