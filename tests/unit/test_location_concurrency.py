"""Locations under concurrent requests (D7): two managers deactivating the last two
locations at once leave one active; two adding locations of the same name at once add one; a
transfer sent to a location as it is deactivated never stays in transit to it."""

from dataclasses import replace
from functools import partial

from sqlalchemy import func, select

from compliance.errors import DomainError
from compliance.extensions import db
from compliance.models import Location, Transfer, User
from compliance.models.location import FIRST_LOCATION_ID
from compliance.rules.transfers import IN_TRANSIT
from compliance.services import location_admin, transfers
from compliance.services.location_admin import LocationDetails
from tests.concurrency import at_once
from tests.factories import make_product, receive_batch
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


def _send(manager_id: int, batch_id: int, location_id: int, ready) -> str:
    manager = db.session.get(User, manager_id)
    ready()
    try:
        return str(transfers.send(manager, transfers.Sending(batch_id, location_id, 1, "Restock")))
    except DomainError as error:
        return error.message


def test_a_transfer_sent_to_a_location_as_it_is_deactivated_is_never_stuck(app, users):
    manager = users["manager"]
    quay = add_location(manager)
    batch = receive_batch(manager, make_product(), containers=5)
    outcomes = at_once(app, [partial(_deactivate, manager.id, quay.id),
                             partial(_send, manager.id, batch.id, quay.id)])
    went_through = [outcome for outcome in outcomes
                    if outcome == quay.name or outcome.startswith("Transfer ")]
    refused = [outcome for outcome in outcomes if "no longer active" in outcome
               or "has 1 transfer in transit to or from it" in outcome]
    assert len(went_through) == len(refused) == 1, outcomes
    db.session.expire_all()
    stuck = db.session.scalar(select(func.count()).select_from(Transfer).join(
        Location, Location.id == Transfer.to_location_id).where(
        Transfer.status == IN_TRANSIT, Location.active.is_(False)))
    assert stuck == 0


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
