"""Locations under concurrent requests (D7): two managers deactivating the last two
locations at once leave one active; two adding locations of the same name at once add one."""

from dataclasses import replace
from functools import partial

from sqlalchemy import func, select

from compliance.errors import DomainError
from compliance.extensions import db
from compliance.models import Location, User
from compliance.models.location import FIRST_LOCATION_ID
from compliance.services import location_admin
from compliance.services.location_admin import LocationDetails
from tests.concurrency import at_once
from tests.location_helpers import CUPBOARD, add_location


def _deactivate(manager_id: int, location_id: int, ready) -> str:
    manager = db.session.get(User, manager_id)
    ready()
    try:
        return location_admin.deactivate_location(manager, location_id, "Closing").name
    except DomainError as error:
        return error.message


def test_the_last_two_locations_deactivated_at_once_leave_one(app, users):
    manager = users["manager"]
    other = add_location(manager)
    outcomes = at_once(app, [partial(_deactivate, manager.id, location_id)
                             for location_id in (FIRST_LOCATION_ID, other.id)])
    assert sum("is the only active location" in outcome for outcome in outcomes) == 1, outcomes
    assert db.session.scalar(select(func.count()).select_from(Location)
                             .where(Location.active.is_(True))) == 1


def _add(manager_id: int, regulator_id: str, ready) -> str:
    manager = db.session.get(User, manager_id)
    ready()
    try:
        return location_admin.create_location(
            manager, LocationDetails("Harbour Street", "", regulator_id), replace(CUPBOARD)).name
    except DomainError as error:
        return error.message


def test_two_locations_of_one_name_added_at_once_make_one(app, users):
    outcomes = at_once(app, [partial(_add, users["manager"].id, f"1-00000000{n}")
                             for n in range(2)])
    # Refused by the check (SQLite serialises the writers) or by the unique index (PostgreSQL).
    refused, added = sorted(outcomes)
    assert added == "Harbour Street" and refused.startswith("Another location "), outcomes
    assert db.session.scalar(select(func.count()).select_from(Location)
                             .where(Location.name == "Harbour Street")) == 1
