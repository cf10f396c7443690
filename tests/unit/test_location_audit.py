"""Locations, storage areas and who works where are on the audit trail (D6, D7): each is
created, changed and deactivated (or, for an assignment, removed) as an event with who and
why, and the live rows agree with the trail."""

from decimal import Decimal

from compliance.models.location import FIRST_LOCATION_ID
from compliance.services import accounts, audit_replay, location_admin, storage_areas
from compliance.services.accounts import Profile
from compliance.services.location_admin import LocationDetails
from compliance.services.storage_areas import AreaDetails
from tests.audit_helpers import changes, events
from tests.factories import PASSWORD
from tests.location_helpers import add_location


def test_locations_are_recorded_when_added_changed_and_deactivated(app, users):
    manager = users["manager"]
    location = add_location(manager, "Quay Road", "1-000000007")
    [created] = events(table_name="locations", record_id=str(location.id), action="create")
    assert created.actor_id == manager.id
    assert changes(created)["regulator_id"] == [None, "1-000000007"]
    location_admin.update_location(manager, location.id, LocationDetails(
        "Quay Road Clinic", "2 Quay Road", "1-000000007"), "Registered name")
    changed = events(table_name="locations", record_id=str(location.id), action="update")[-1]
    assert changes(changed) == {"name": ["Quay Road", "Quay Road Clinic"],
                                "address": ["2 Quay Road\nPortsmouth", "2 Quay Road"]}
    assert changed.reason == "Registered name"
    location_admin.deactivate_location(manager, location.id, "Lease ended")
    closed = events(table_name="locations", record_id=str(location.id), action="update")[-1]
    assert changes(closed)["active"] == [True, False] and closed.reason == "Lease ended"


def test_storage_areas_are_recorded_when_added_changed_and_deactivated(app, users):
    manager = users["manager"]
    area = storage_areas.add_storage_area(manager, FIRST_LOCATION_ID, AreaDetails(
        "Medicines fridge", "medicines fridge", Decimal(2), Decimal(8)))
    [created] = events(table_name="storage_areas", record_id=str(area.id), action="create")
    assert changes(created)["kind"] == [None, "medicines fridge"]
    assert created.actor_id == manager.id
    storage_areas.update_storage_area(manager, area.id, AreaDetails(
        "Medicines fridge", "medicines fridge", Decimal("2.5"), Decimal(8)), "New fridge")
    changed = events(table_name="storage_areas", record_id=str(area.id), action="update")[-1]
    assert list(changes(changed)) == ["min_temp_c"] and changed.reason == "New fridge"
    storage_areas.deactivate_storage_area(manager, area.id, "Fridge failed")
    closed = events(table_name="storage_areas", record_id=str(area.id), action="update")[-1]
    assert changes(closed)["active"] == [True, False] and closed.reason == "Fridge failed"


def test_who_works_where_is_recorded_when_assigned_and_moved(app, users):
    manager = users["manager"]
    other = add_location(manager)
    profile = Profile("ada@test.clinic", "Ada Lee", {"manager"}, location_ids={other.id})
    user = accounts.create_user(manager, profile, PASSWORD)
    [assigned] = events(table_name="user_locations", action="create")
    assert changes(assigned)["user_id"] == [None, user.id]
    assert changes(assigned)["location_id"] == [None, other.id]
    profile.location_ids = {FIRST_LOCATION_ID}
    accounts.update_user(manager, user.id, profile, "Moved to the main clinic")
    [removed] = events(table_name="user_locations", action="delete")
    moved = events(table_name="user_locations", action="create")[-1]
    assert removed.record_id == assigned.record_id and removed.reason == "Moved to the main clinic"
    assert changes(moved)["location_id"] == [None, FIRST_LOCATION_ID]
    profile.location_ids, profile.all_locations = set(), True
    accounts.update_user(manager, user.id, profile, "Now the group manager")
    group = events(table_name="users", record_id=str(user.id), action="update")[-1]
    assert changes(group) == {"all_locations": [False, True]}
    assert audit_replay.replay(processes=1).differences == ()
