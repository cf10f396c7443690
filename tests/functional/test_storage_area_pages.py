"""A location's storage areas in the pages (D7): added and changed by a manager who works
there, names unique within a location, a sensible temperature range, and deactivated with a
reason only once nothing is kept there and another stays active."""

import html

import pytest
from sqlalchemy import select

from compliance.extensions import db
from compliance.models import StorageArea
from compliance.models.location import FIRST_LOCATION_ID
from compliance.seeds import FIRST_STORAGE_AREA
from tests.factories import make_product, receive_batch
from tests.fingerprint import fingerprint
from tests.location_helpers import add_location, working_at

CUPBOARD_ID = FIRST_STORAGE_AREA["id"]
NEW_AREA = f"/locations/{FIRST_LOCATION_ID}/storage-areas/new"


def area_form(**changes) -> dict:
    data = {"name": "Medicines fridge", "kind": "medicines fridge", "min_temp_c": "2",
            "max_temp_c": "8"}
    data.update(changes)
    return data


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def fridge(client) -> StorageArea:
    assert client.post(NEW_AREA, data=area_form()).status_code == 302
    return db.session.scalar(select(StorageArea).where(StorageArea.name == "Medicines fridge"))


def test_a_manager_at_the_location_adds_a_medicines_fridge(client, users, login):
    manager = working_at("manager", FIRST_LOCATION_ID)
    login(manager)
    area = fridge(client)
    assert (area.location_id, area.kind, area.min_temp_c, area.max_temp_c, area.active) == (
        FIRST_LOCATION_ID, "medicines fridge", 2, 8, True)
    assert "2.0 to 8.0 °C" in page(client.get("/locations/"))


AREA_REFUSALS = [
    ({"name": ""}, "This field is required."),
    ({"name": "drug CUPBOARD"}, "This location already has a storage area called Drug cupboard."),
    ({"name": "Fridge\x07"}, "Remove the control character U+0007"),
    ({"name": "f" * 81}, "Enter at most 80 characters"),
    ({"kind": "freezer"}, "Not a valid choice"),
    ({"min_temp_c": ""}, "Enter the lowest temperature in °C."),
    ({"min_temp_c": "two"}, "Enter a temperature in °C, such as 2, -5 or 7.5."),
    ({"max_temp_c": "Infinity"}, "Enter a number."),
    ({"min_temp_c": "-31"}, "Enter a lowest temperature from -30 °C to 50 °C."),
    ({"max_temp_c": "51"}, "Enter a highest temperature from -30 °C to 50 °C."),
    ({"max_temp_c": "-" + "9" * 400}, "Enter a highest temperature from -30 °C to 50 °C."),
    ({"min_temp_c": "2.05"}, "Enter the lowest temperature to 0.1 °C."),
    ({"min_temp_c": "8", "max_temp_c": "2"},
     "The highest temperature must be above the lowest (8 °C)."),
]


@pytest.mark.parametrize(("changes", "message"), AREA_REFUSALS)
def test_a_storage_area_described_wrongly_is_refused_with_the_input_kept(
        client, users, login, changes, message):
    login(users["manager"])
    before = fingerprint()
    response = client.post(NEW_AREA, data=area_form(**changes))
    body = page(response)
    assert response.status_code == 200 and message in body
    assert fingerprint() == before
    if "name" not in changes:
        assert 'value="Medicines fridge"' in body


def test_another_location_may_use_the_same_name(client, users, login):
    other = add_location(users["manager"])
    login(users["manager"])
    fridge(client)
    response = client.post(f"/locations/{other.id}/storage-areas/new", data=area_form())
    assert response.status_code == 302
    db.session.refresh(other)
    assert [area.name for area in other.storage_areas] == ["Drug cupboard", "Medicines fridge"]


def test_a_manager_changes_a_storage_areas_range_saying_why(client, users, login):
    login(users["manager"])
    area = fridge(client)
    response = client.post(f"/locations/storage-areas/{area.id}", data=area_form(
        min_temp_c="2.5", max_temp_c="7.5", reason="The new fridge's specification"))
    assert response.status_code == 302
    db.session.refresh(area)
    assert (area.min_temp_c, area.max_temp_c) == (2.5, 7.5)
    before = fingerprint()
    body = page(client.post(f"/locations/storage-areas/{area.id}",
                            data=area_form(max_temp_c="1", reason="oops")))
    assert "The highest temperature must be above the lowest (2 °C)." in body
    assert fingerprint() == before


def test_a_storage_area_holding_stock_is_not_deactivated(client, users, login):
    login(users["manager"])
    fridge(client)
    receive_batch(users["manager"], make_product(), batch_number="INCUP1")
    before = fingerprint()
    body = page(client.post(f"/locations/storage-areas/{CUPBOARD_ID}/deactivate",
                            data={"deactivate-reason": "Replaced"}))
    assert "Drug cupboard still holds stock of batch INCUP1" in body
    assert "Replaced" in body
    assert fingerprint() == before


def test_the_last_active_storage_area_of_a_location_is_not_deactivated(client, users, login):
    login(users["manager"])
    before = fingerprint()
    body = page(client.post(f"/locations/storage-areas/{CUPBOARD_ID}/deactivate",
                            data={"deactivate-reason": "Replaced"}))
    assert "Drug cupboard is the only active storage area of its location" in body
    assert fingerprint() == before


def test_an_empty_storage_area_is_deactivated_with_who_and_why(client, users, login):
    login(users["manager"])
    area = fridge(client)
    body = page(client.get(f"/locations/storage-areas/{area.id}"))
    assert 'data-confirm="Deactivate Medicines fridge at Main clinic?' in body
    response = client.post(f"/locations/storage-areas/{area.id}/deactivate",
                           data={"deactivate-reason": "Fridge failed its service"})
    assert response.status_code == 302
    db.session.refresh(area)
    assert not area.active and area.deactivation_reason == "Fridge failed its service"
    body = page(client.get("/locations/"))
    assert f"by {users['manager'].full_name}: Fridge failed its service" in body
    before = fingerprint()
    client.post(f"/locations/storage-areas/{area.id}", data=area_form(reason="again"))
    assert fingerprint() == before


def test_a_storage_area_is_not_deactivated_without_a_reason(client, users, login):
    login(users["manager"])
    area = fridge(client)
    before = fingerprint()
    body = page(client.post(f"/locations/storage-areas/{area.id}/deactivate",
                            data={"deactivate-reason": " "}))
    assert "Give a reason for deactivating the storage area." in body
    assert fingerprint() == before


def test_a_manager_of_another_location_cannot_change_its_storage_areas(client, users, login):
    other = add_location(users["manager"])
    login(working_at("manager", other))
    before = fingerprint()
    assert client.get(NEW_AREA).status_code == 404
    assert client.post(NEW_AREA, data=area_form()).status_code == 404
    assert client.post(f"/locations/storage-areas/{CUPBOARD_ID}",
                       data=area_form(reason="try")).status_code == 404
    assert fingerprint() == before


def test_unknown_ids_are_not_found(client, users, login):
    login(users["manager"])
    for url in ("/locations/999999", "/locations/storage-areas/999999",
                "/locations/99999999999999/storage-areas/new"):
        assert client.get(url).status_code == 404, url
