"""Locations (D7), the foundation: the first location every installation starts with, who
works where, and a batch's part held at each location moving with its ledger entries."""

import pytest
from sqlalchemy import func, select

from compliance import locations
from compliance.errors import InsufficientStock, NotPermitted
from compliance.extensions import db
from compliance.models import BatchStock, LedgerEntry, Location, StorageArea, UserLocation
from compliance.models.location import FIRST_LOCATION_ID
from compliance.models.stock import ADJUSTMENT, RECEIPT, WASTE
from compliance.services import accounts, ledger
from compliance.services.accounts import Profile
from tests.factories import PASSWORD, make_product, make_user, receive_batch


def _second_location() -> Location:
    location = Location(name="Harbour Street", address="2 Harbour Street",
                        regulator_id="1-000000002")
    location.storage_areas.append(StorageArea(name="Fridge", kind="medicines fridge",
                                              min_temp_c=2, max_temp_c=8))
    db.session.add(location)
    db.session.commit()
    return location


def test_every_installation_starts_with_one_location_and_its_cupboard(app):
    location = db.session.get(Location, FIRST_LOCATION_ID)
    assert location.name == "Main clinic" and location.active
    assert [area.name for area in location.storage_areas] == ["Drug cupboard"]


def test_a_new_account_at_a_provider_of_one_location_works_there(app):
    manager = make_user("manager")
    user = accounts.create_user(manager, Profile("new@test.clinic", "New Nurse",
                                                 {"prescriber"}, "nurse", "NMC", "12A3456E"),
                                PASSWORD)
    assert db.session.scalars(select(UserLocation.location_id)
                              .where(UserLocation.user_id == user.id)).all() == [1]
    assert locations.current_location(user).id == FIRST_LOCATION_ID


def test_someone_assigned_nowhere_cannot_act_anywhere(app):
    _second_location()
    user = make_user("manager", all_locations=False)
    assert locations.current_location(user) is None
    with pytest.raises(NotPermitted):
        locations.acting_location_id(user)


def test_a_user_works_only_at_their_assigned_locations(app):
    second = _second_location()
    user = make_user("doctor", all_locations=False)
    db.session.add(UserLocation(user_id=user.id, location_id=second.id))
    db.session.commit()
    assert [location.name for location in locations.working_locations(user)] == [
        "Harbour Street"]
    assert not locations.works_at(user, FIRST_LOCATION_ID)


def test_each_location_holds_its_own_part_of_a_batch(app):
    manager = make_user("manager")
    batch = receive_batch(manager, make_product(), containers=10)
    second = _second_location()
    batch = ledger.locked_batch(batch.id)
    ledger.post(manager, batch, ADJUSTMENT, 4000, 2, location_id=second.id, reason="found")
    db.session.commit()
    parts = dict(db.session.execute(select(BatchStock.location_id, BatchStock.sealed_containers)
                                    .where(BatchStock.batch_id == batch.id)).all())
    assert parts == {FIRST_LOCATION_ID: 10, second.id: 2}
    assert batch.sealed_containers == 12
    # The new part is kept in the receiving location's first storage area.
    area = db.session.scalar(select(BatchStock.storage_area_id)
                             .where(BatchStock.location_id == second.id))
    assert area == second.storage_areas[0].id


def test_no_location_goes_below_zero_though_the_batch_holds_enough(app):
    manager = make_user("manager")
    batch = receive_batch(manager, make_product(), containers=10)
    second = _second_location()
    before = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    batch = ledger.locked_batch(batch.id)
    with pytest.raises(InsufficientStock):
        ledger.post(manager, batch, WASTE, -2000, -1, location_id=second.id, reason="broken")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == before
    assert db.session.get(type(batch), batch.id).sealed_containers == 10


def test_a_reversal_undoes_the_entry_where_it_happened(app):
    manager = make_user("manager")
    batch = ledger.locked_batch(receive_batch(manager, make_product()).id)
    second = _second_location()
    entry = ledger.post(manager, batch, RECEIPT, 2000, 1, location_id=second.id)
    db.session.commit()
    reversal = ledger.post_reversal(manager, entry, "entered at the wrong place")
    db.session.commit()
    assert reversal.location_id == second.id
    assert db.session.scalar(select(BatchStock.sealed_containers).where(
        BatchStock.location_id == second.id)) == 0
