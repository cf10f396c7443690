"""Helpers for tests of locations (D7): other locations with their storage areas, people who
work at given ones, and a batch split across two."""

from decimal import Decimal
from zlib import crc32

from sqlalchemy import select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Location, StorageArea, UserLocation
from compliance.models.location import FIRST_LOCATION_ID
from compliance.services import location_admin, stocktakes
from compliance.services.location_admin import LocationDetails
from compliance.services.storage_areas import AreaDetails
from tests.factories import (
    PASSWORD,
    make_product,
    make_session,
    make_user,
    ready_patient,
    receive_batch,
)

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


# The storage areas a test location can have, by name.
AREAS = {"Cupboard": dict(kind="locked cupboard", min_temp_c=Decimal(15), max_temp_c=Decimal(25)),
         "Fridge": dict(kind="medicines fridge", min_temp_c=Decimal(2), max_temp_c=Decimal(8))}


def make_location(name: str = "Harbour Street", regulator_id: str | None = None,
                  areas: tuple[str, ...] = ("Cupboard",), workers=()) -> Location:
    """A committed active location with `areas` (names in AREAS), in that order: a location's
    first area is the one its forms offer first. `workers` work there (as well as where they
    already do). The regulator's id is made from the name unless given."""
    location = Location(name=name, address=f"2 {name}",
                        regulator_id=regulator_id or f"1-{crc32(name.encode()):010d}")
    location.storage_areas.extend(StorageArea(name=area, **AREAS[area]) for area in areas)
    db.session.add(location)
    db.session.flush()
    db.session.add_all(UserLocation(user_id=user.id, location_id=location.id)
                       for user in workers)
    db.session.commit()
    return location


def second_location(name: str = "Riverside") -> Location:
    """An active location with a locked cupboard and a medicines fridge, in that order."""
    return make_location(name, areas=("Cupboard", "Fridge"))


def area_named(location_id: int, name: str) -> StorageArea:
    return db.session.scalars(select(StorageArea).where(
        StorageArea.location_id == location_id, StorageArea.name == name)).one()


def user_at(kind: str, *location_ids: int, **fields):
    """A user of `kind` who works at these locations only."""
    return working_at(kind, *location_ids, **fields)


def assign(user, *location_ids: int):
    """Make `user` work at the given locations only (no longer group-wide)."""
    user.all_locations = False
    for location_id in location_ids:
        db.session.add(UserLocation(user_id=user.id, location_id=location_id))
    db.session.commit()
    return user


def split_batch(product, main_manager, other_manager, main: int = 10, other: int = 6,
                batch_number: str = "SPLIT"):
    """One batch received at the first location (`main` containers) and at the second
    (`other`), by a manager working at each."""
    batch = receive_batch(main_manager, product, containers=main, batch_number=batch_number)
    receive_batch(other_manager, product, containers=other, batch_number=batch_number)
    db.session.refresh(batch)
    return batch


def two_locations(users) -> dict:
    """A batch and a signed session with an injection at each location, and a stocktake at
    the second; the patient is the same."""
    there = make_location()
    manager_there = user_at("manager", there.id)
    product = make_product()
    # A group-wide manager acts at the first location by name, which is now the new one.
    here_batch = receive_batch(user_at("manager", 1), product, batch_number="NEAR1")
    there_batch = receive_batch(manager_there, product, batch_number="FAR9")
    _patient, rx = ready_patient(users, product)
    day = local_today()
    here = make_session(rx, users["doctor"], day, [(here_batch, 1000)], location_id=1)
    far = make_session(rx, users["doctor"], day, [(there_batch, 1000)], number=2,
                       location_id=there.id)
    taken = stocktakes.record_stocktake(
        manager_there, [stocktakes.Count(there_batch.id, 8, "One ampoule broken in the box")],
        None, stocktakes.Countersignature(users["doctor"].email, PASSWORD))
    return {"there": frozenset({there.id}), "here_batch": here_batch,
            "there_batch": there_batch, "here": here, "far": far, "stocktake": taken,
            "manager_there": manager_there}


__all__ = ["AREAS", "CUPBOARD", "FIRST_LOCATION_ID", "add_location", "area_named", "assign",
           "make_location", "second_location", "split_batch", "two_locations", "user_at",
           "working_at"]
