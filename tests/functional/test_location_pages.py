"""Locations and storage areas managed in the pages (D7): a group-wide manager adds a location,
a manager who works there changes it and its storage areas, and nothing is ever deleted: a
location or storage area is deactivated with a reason, shown with who did it and why. Bad input
is refused beside its field with the input kept and nothing written."""

import html

import pytest
from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import Location, StorageArea
from compliance.models.location import FIRST_LOCATION_ID
from compliance.seeds import FIRST_STORAGE_AREA
from tests.factories import make_product, receive_batch
from tests.fingerprint import fingerprint
from tests.location_helpers import add_location, working_at
from tests.transfer_helpers import send

CUPBOARD_ID = FIRST_STORAGE_AREA["id"]


def new_location_form(**changes) -> dict:
    data = {"name": "Harbour Street Clinic", "address": "2 Harbour Street\nPortsmouth",
            "regulator_id": "1-987654321", "area_name": "Drug cupboard",
            "area_kind": "locked cupboard", "area_min_temp_c": "15", "area_max_temp_c": "25"}
    data.update(changes)
    return data


def area_form(**changes) -> dict:
    data = {"name": "Medicines fridge", "kind": "medicines fridge", "min_temp_c": "2",
            "max_temp_c": "8"}
    data.update(changes)
    return data


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_group_manager_adds_a_location_with_its_first_storage_area(client, users, login):
    login(users["manager"])
    response = client.post("/locations/new", data=new_location_form())
    assert response.status_code == 302
    location = db.session.scalar(select(Location).where(Location.name == "Harbour Street Clinic"))
    assert (location.address, location.regulator_id, location.active) == (
        "2 Harbour Street\nPortsmouth", "1-987654321", True)
    [area] = location.storage_areas
    assert (area.name, area.kind, area.min_temp_c, area.max_temp_c) == (
        "Drug cupboard", "locked cupboard", 15, 25)
    body = page(client.get("/locations/"))
    assert "Harbour Street Clinic" in body and "15.0 to 25.0 °C" in body


def test_the_new_location_form_offers_a_drug_cupboard_first(client, users, login):
    login(users["manager"])
    body = page(client.get("/locations/new"))
    assert 'value="Drug cupboard"' in body and 'value="15.0"' in body


NEW_LOCATION_REFUSALS = [
    ({"name": ""}, "This field is required."),
    ({"name": "  "}, "This field is required."),
    ({"name": "main CLINIC"}, "Another location is already called Main clinic."),
    ({"name": "Bad\x00name"}, "Remove the control character U+0000"),
    ({"name": "x" * 121}, "Enter at most 120 characters"),
    ({"name": "North; South"}, "may not contain ';'"),
    ({"address": "y" * 501}, "Enter at most 500 characters"),
    ({"regulator_id": "1-" + "9" * 39}, "Enter at most 40 characters"),
    ({"area_name": ""}, "This field is required."),
    ({"area_kind": "freezer"}, "Not a valid choice"),
    ({"area_min_temp_c": ""}, "Enter the lowest temperature in °C."),
    ({"area_min_temp_c": "warm"}, "Enter a temperature in °C, such as 2, -5 or 7.5."),
    ({"area_min_temp_c": "NaN"}, "Enter a number."),
    ({"area_min_temp_c": "-40"}, "Enter a lowest temperature from -30 °C to 50 °C."),
    ({"area_max_temp_c": "1e9"}, "Enter a highest temperature from -30 °C to 50 °C."),
    ({"area_max_temp_c": "8.25"}, "Enter the highest temperature to 0.1 °C."),
    ({"area_min_temp_c": "8", "area_max_temp_c": "8"},
     "The highest temperature must be above the lowest (8 °C)."),
    ({"area_min_temp_c": "25", "area_max_temp_c": "15"},
     "The highest temperature must be above the lowest (25 °C)."),
]


@pytest.mark.parametrize(("changes", "message"), NEW_LOCATION_REFUSALS)
def test_a_new_location_described_wrongly_is_refused_with_the_input_kept(
        client, users, login, changes, message):
    login(users["manager"])
    before = fingerprint()
    response = client.post("/locations/new", data=new_location_form(**changes))
    body = page(response)
    assert response.status_code == 200
    assert message in body
    assert fingerprint() == before
    kept = [value for name, value in new_location_form().items() if name not in changes]
    assert all(value in body for value in kept)  # the rest of what was typed is still there


def test_a_regulator_id_two_locations_share_is_refused(client, users, login):
    add_location(users["manager"], "Pier Road", "1-111111111")
    login(users["manager"])
    before = fingerprint()
    body = page(client.post("/locations/new", data=new_location_form(regulator_id="1-111111111")))
    assert "Pier Road already has the regulator's id 1-111111111." in body
    assert fingerprint() == before


def test_only_a_group_wide_manager_adds_a_location(client, users, login):
    local = working_at("manager", FIRST_LOCATION_ID)
    login(local)
    assert client.get("/locations/new").status_code == 403
    before = fingerprint()
    assert client.post("/locations/new", data=new_location_form()).status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("kind", ["doctor", "nurse", "inspector"])
def test_only_managers_see_the_location_pages(client, users, login, kind):
    login(users[kind])
    for url in ("/locations/", f"/locations/{FIRST_LOCATION_ID}",
                f"/locations/storage-areas/{CUPBOARD_ID}",
                f"/locations/{FIRST_LOCATION_ID}/storage-areas/new"):
        assert client.get(url).status_code == 403, url
    before = fingerprint()
    assert client.post(f"/locations/{FIRST_LOCATION_ID}/deactivate",
                       data={"deactivate-reason": "try"}).status_code == 403
    assert fingerprint() == before


def test_a_manager_changes_a_location_saying_why(client, users, login):
    login(users["manager"])
    response = client.post(f"/locations/{FIRST_LOCATION_ID}", data={
        "name": "Marylebone Vein Clinic", "address": "14 Welbeck Street", "regulator_id":
        " 1-2345678901 ", "reason": "The registered name"})
    assert response.status_code == 302
    location = db.session.get(Location, FIRST_LOCATION_ID)
    assert (location.name, location.regulator_id) == ("Marylebone Vein Clinic", "1-2345678901")


def test_a_change_without_a_reason_is_refused_with_the_input_kept(client, users, login):
    login(users["manager"])
    before = fingerprint()
    body = page(client.post(f"/locations/{FIRST_LOCATION_ID}", data={
        "name": "Renamed clinic", "address": "", "regulator_id": "", "reason": ""}))
    assert "Give a reason." in body and 'value="Renamed clinic"' in body
    assert fingerprint() == before


def test_a_manager_of_one_location_changes_it_and_never_sees_another(client, users, login):
    other = add_location(users["manager"])
    local = working_at("manager", FIRST_LOCATION_ID)
    login(local)
    body = page(client.get("/locations/"))
    assert "Main clinic" in body and "Quay Road" not in body
    assert client.get(f"/locations/{FIRST_LOCATION_ID}").status_code == 200
    before = fingerprint()
    for url in (f"/locations/{other.id}", f"/locations/{other.id}/storage-areas/new",
                f"/locations/storage-areas/{other.storage_areas[0].id}"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={**area_form(), "reason": "try"}).status_code == 404, url
    assert client.post(f"/locations/storage-areas/{other.storage_areas[0].id}/deactivate",
                       data={"deactivate-reason": "try"}).status_code == 404
    assert fingerprint() == before


def test_a_location_is_not_deactivated_without_a_confirmed_reason(client, users, login):
    add_location(users["manager"])
    login(users["manager"])
    body = page(client.get(f"/locations/{FIRST_LOCATION_ID}"))
    assert 'data-confirm="Deactivate Main clinic?' in body
    before = fingerprint()
    body = page(client.post(f"/locations/{FIRST_LOCATION_ID}/deactivate",
                            data={"deactivate-reason": ""}))
    assert "Give a reason for deactivating the location." in body
    assert fingerprint() == before


def test_the_last_active_location_is_never_deactivated(client, users, login):
    login(users["manager"])
    before = fingerprint()
    body = page(client.post(f"/locations/{FIRST_LOCATION_ID}/deactivate",
                            data={"deactivate-reason": "Moving out"}))
    assert "Main clinic is the only active location" in body
    assert "Moving out" in body  # the reason typed is kept
    assert fingerprint() == before


def test_a_location_holding_stock_is_not_deactivated(client, users, login):
    add_location(users["manager"])
    receive_batch(users["manager"], make_product(), batch_number="KEPT1")
    login(users["manager"])
    before = fingerprint()
    body = page(client.post(f"/locations/{FIRST_LOCATION_ID}/deactivate",
                            data={"deactivate-reason": "Moving out"}))
    assert "Main clinic still holds stock of batch KEPT1" in body
    assert fingerprint() == before


def test_a_location_with_a_transfer_in_transit_is_not_deactivated(client, users, login):
    quay = add_location(users["manager"])
    batch = receive_batch(users["manager"], make_product(), batch_number="MOVING1")
    send(users["manager"], batch, quay, 2)
    login(users["manager"])
    before = fingerprint()
    body = page(client.post(f"/locations/{quay.id}/deactivate",
                            data={"deactivate-reason": "Lease ended"}))
    assert ("Quay Road has 1 transfer in transit to or from it: it must be received or "
            "cancelled first.") in body
    assert "Lease ended" in body
    assert fingerprint() == before


def test_a_deactivated_location_stays_listed_with_who_and_why(client, users, login):
    other = add_location(users["manager"])
    login(users["manager"])
    response = client.post(f"/locations/{other.id}/deactivate",
                           data={"deactivate-reason": "Lease ended"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Location, other.id).active
    assert not db.session.get(StorageArea, other.storage_areas[0].id).active
    body = page(client.get("/locations/"))
    assert f"by {users['manager'].full_name}: Lease ended" in body
    assert db.session.scalar(select(func.count()).select_from(Location)) == 2  # kept
    # It is kept as it was: no more changes.
    before = fingerprint()
    assert client.get(f"/locations/{other.id}").status_code == 302
    assert client.post(f"/locations/{other.id}/storage-areas/new",
                       data=area_form()).status_code == 302
    assert fingerprint() == before


def test_a_manager_who_is_not_group_wide_does_not_deactivate_a_location(client, users, login):
    other = add_location(users["manager"])
    local = working_at("manager", FIRST_LOCATION_ID, other)
    login(local)
    before = fingerprint()
    assert client.post(f"/locations/{other.id}/deactivate",
                       data={"deactivate-reason": "Lease ended"}).status_code == 403
    assert fingerprint() == before
