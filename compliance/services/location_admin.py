"""A provider's locations (D7): added by a group-wide manager, changed by a manager who works
there, deactivated with a reason; never deleted."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from compliance.clock import utcnow
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.inputs import text_problem
from compliance.models.location import Location, StorageArea
from compliance.models.transfer import Transfer
from compliance.rules.locations import Closing, check_closing
from compliance.rules.transfers import IN_TRANSIT
from compliance.services import ensure_can, location_queries, storage_areas
from compliance.services.audit import give_reason
from compliance.services.location_common import active_location, flush_unique, require_reason
from compliance.services.storage_areas import AreaDetails
from compliance.services.unit_of_work import unit_of_work

MAX_NAME = 120
MAX_ADDRESS = 500
MAX_REGULATOR_ID = 40


@dataclass
class LocationDetails:
    """A location as the regulator registers it."""

    name: str
    address: str = ""
    regulator_id: str | None = None


def _clean(details: LocationDetails) -> None:
    details.name = " ".join((details.name or "").split())
    details.address = (details.address or "").strip()
    details.regulator_id = (details.regulator_id or "").strip().upper() or None
    if not details.name:
        raise InvalidInput("Enter the location's name.", field="name")
    if ";" in details.name:
        raise InvalidInput("A location's name may not contain ';' (it separates the "
                           "locations named in a user import).", field="name")
    for field, value, limit, multiline in (("name", details.name, MAX_NAME, False),
                                           ("address", details.address, MAX_ADDRESS, True),
                                           ("regulator_id", details.regulator_id or "",
                                            MAX_REGULATOR_ID, False)):
        problem = text_problem(value, limit, multiline)
        if problem:
            raise InvalidInput(problem, field=field)


def _check(details: LocationDetails, location: Location | None) -> None:
    """Refuse a name or a regulator's id another location already has (names compared
    without regard to case: two "Harley Street"s would be told apart by nobody)."""
    _clean(details)
    same_name = db.session.scalar(select(Location).where(
        func.lower(Location.name) == details.name.lower()))
    if same_name is not None and same_name is not location:
        raise InvalidInput(f"Another location is already called {same_name.name}.",
                           field="name")
    same_id = details.regulator_id and db.session.scalar(select(Location).where(
        Location.regulator_id == details.regulator_id))
    if same_id and same_id is not location:
        raise InvalidInput(f"{same_id.name} already has the regulator's id "
                           f"{details.regulator_id}.", field="regulator_id")


@unit_of_work("add a location")
def create_location(actor, details: LocationDetails, first_area: AreaDetails) -> Location:
    """Add a location with the storage area its stock is first kept in."""
    ensure_can(actor, "create_location")
    _check(details, None)
    try:
        storage_areas.check(first_area, None, None)
    except InvalidInput as error:  # shown beside the new location form's own area fields
        error.field = error.field and f"area_{error.field}"
        raise
    location = Location(name=details.name, address=details.address,
                        regulator_id=details.regulator_id, active=True)
    location.storage_areas.append(StorageArea(name=first_area.name, kind=first_area.kind,
                                              min_temp_c=first_area.min_temp_c,
                                              max_temp_c=first_area.max_temp_c, active=True))
    db.session.add(location)
    flush_unique("Another location has this name or regulator's id.", "name")
    return location


@unit_of_work("change a location")
def update_location(actor, location_id: int, details: LocationDetails,
                    reason: str) -> Location:
    reason = require_reason(reason)
    location = active_location(location_id)
    ensure_can(actor, "edit_location", location)
    _check(details, location)
    give_reason(reason)
    location.name, location.address = details.name, details.address
    location.regulator_id = details.regulator_id
    flush_unique("Another location has this name or regulator's id.", "name")
    return location


def _lock_active_locations() -> list[int]:
    """Every active location, locked in id order (FOR UPDATE on PostgreSQL): two managers
    deactivating the last two at once are served one after the other, so one stays; in id
    order, so neither waits for a row the other holds."""
    return list(db.session.scalars(select(Location.id).where(Location.active.is_(True))
                                   .order_by(Location.id).with_for_update()))


def _transfers_in_transit(location_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Transfer).where(
        Transfer.status == IN_TRANSIT, or_(Transfer.from_location_id == location_id,
                                           Transfer.to_location_id == location_id)))


def _check_closing(location: Location, active_ids: list[int]) -> None:
    check_closing(Closing(location.name, len(set(active_ids) - {location.id}),
                          location_queries.batches_held(location_id=location.id),
                          _transfers_in_transit(location.id)))


@unit_of_work("deactivate a location")
def deactivate_location(actor, location_id: int, reason: str) -> Location:
    """Deactivate a location and its storage areas, saying why; its records stay."""
    ensure_can(actor, "create_location")
    reason = require_reason(reason)
    active_ids = _lock_active_locations()
    location = active_location(location_id)
    _check_closing(location, active_ids)
    give_reason(reason)
    now = utcnow()
    for thing in (location, *[area for area in location.storage_areas if area.active]):
        thing.active, thing.deactivated_at, thing.deactivation_reason = False, now, reason
    return location
