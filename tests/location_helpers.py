"""Helpers for tests of stock at several locations (D7): a second location with its own
storage areas, users who work at one location only, and a batch split across two."""

from sqlalchemy import select

from compliance.extensions import db
from compliance.models import Location, StorageArea, UserLocation
from compliance.models.location import FIRST_LOCATION_ID
from tests.factories import make_user, receive_batch


def second_location(name: str = "Riverside") -> Location:
    """An active location with a locked cupboard and a medicines fridge."""
    location = Location(name=name, address=f"1 {name} Road", regulator_id=f"1-{len(name):09d}")
    location.storage_areas.extend([
        StorageArea(name="Cupboard", kind="locked cupboard", min_temp_c=15, max_temp_c=25),
        StorageArea(name="Fridge", kind="medicines fridge", min_temp_c=2, max_temp_c=8)])
    db.session.add(location)
    db.session.commit()
    return location


def area_named(location_id: int, name: str) -> StorageArea:
    return db.session.scalars(select(StorageArea).where(
        StorageArea.location_id == location_id, StorageArea.name == name)).one()


def user_at(kind: str, *location_ids: int):
    """A user of `kind` who works at these locations only."""
    user = make_user(kind, all_locations=False)
    db.session.add_all(UserLocation(user_id=user.id, location_id=location_id)
                       for location_id in location_ids)
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


__all__ = ["FIRST_LOCATION_ID", "area_named", "second_location", "split_batch", "user_at"]
