"""Users work at the locations assigned to them, or at all (D7): set in the user form, by
`flask users create` and by the CSV import; an active account needs one or the other, and a
manager assigns people only where they work themselves."""

import html
import re

import pytest
from sqlalchemy import select

from compliance.extensions import db
from compliance.models import User, UserLocation
from compliance.models.location import FIRST_LOCATION_ID
from compliance.services import accounts, location_admin
from tests.fingerprint import fingerprint
from tests.location_helpers import add_location, working_at

NEW_NURSE = {"email": "ada.lee@test.clinic", "full_name": "Ada Lee", "roles": ["prescriber"],
             "profession": "nurse", "register": "NMC", "registration_number": "12A3456E",
             "password": "Sclero-Ledger-Witness-42", "confirm": "Sclero-Ledger-Witness-42"}
PASSWORD = "Sclero-Ledger-Witness-42\n"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def works_at(email: str) -> tuple[bool, list[int]]:
    db.session.expire_all()
    user = accounts.find_by_email(email)
    return user.all_locations, sorted(db.session.scalars(
        select(UserLocation.location_id).where(UserLocation.user_id == user.id)))


def checked(body: str) -> list[str]:
    """The values of the ticked location checkboxes of the user form."""
    return re.findall(r'<input checked id="location_ids-\d+" name="location_ids" '
                      r'type="checkbox" value="(\d+)">', body)


def row(body: str, user) -> str:
    """The users list's row of `user`."""
    return re.search(rf'<td><a href="/users/{user.id}">.*?</tr>', body, re.S).group(0)


def test_at_a_provider_of_one_location_the_form_ticks_it(client, users, login):
    login(users["manager"])
    assert checked(page(client.get("/users/new"))) == [str(FIRST_LOCATION_ID)]


def test_a_new_account_works_at_the_locations_ticked(client, users, login):
    other = add_location(users["manager"])
    login(users["manager"])
    body = page(client.get("/users/new"))
    assert checked(body) == [] and "All locations (group-wide)" in body
    response = client.post("/users/new", data={**NEW_NURSE, "location_ids": [str(other.id)]})
    assert response.status_code == 302
    assert works_at("ada.lee@test.clinic") == (False, [other.id])


def test_a_group_wide_account_needs_no_location(client, users, login):
    add_location(users["manager"])
    login(users["manager"])
    client.post("/users/new", data={**NEW_NURSE, "all_locations": "y"})
    assert works_at("ada.lee@test.clinic") == (True, [])


@pytest.mark.parametrize(("locations", "message"), [
    ([], "Name the locations this person works at, or make the account group-wide"),
    (["999999"], "Choose locations from the active locations."),
    (["abc"], "Choose locations from the active locations."),
    (["closed"], "Choose locations from the active locations."),
])
def test_an_account_working_nowhere_is_refused_with_the_input_kept(
        client, users, login, locations, message):
    add_location(users["manager"])
    closed = add_location(users["manager"], "Ferry Lane")
    location_admin.deactivate_location(users["manager"], closed.id, "Lease ended")
    login(users["manager"])
    before = fingerprint()
    sent = [str(closed.id) if value == "closed" else value for value in locations]
    body = page(client.post("/users/new", data={**NEW_NURSE, "location_ids": sent}))
    assert message in body and 'value="Ada Lee"' in body
    assert fingerprint() == before


def test_editing_moves_an_account_between_locations(client, users, login):
    other = add_location(users["manager"])
    nurse = working_at("nurse", FIRST_LOCATION_ID)
    login(users["manager"])
    assert checked(page(client.get(f"/users/{nurse.id}"))) == [str(FIRST_LOCATION_ID)]
    response = client.post(f"/users/{nurse.id}", data={
        "email": nurse.email, "full_name": nurse.full_name, "roles": ["prescriber"],
        "profession": "nurse", "register": "NMC", "registration_number": "12A3456E",
        "location_ids": [str(other.id)], "reason": "Moved to Quay Road"})
    assert response.status_code == 302
    assert works_at(nurse.email) == (False, [other.id])
    assert "<td>Quay Road</td>" in row(page(client.get("/users/")), nurse)


def _edit(client, user, **changes):
    data = {"email": user.email, "full_name": user.full_name, "roles": sorted(user.roles),
            "profession": user.profession, "register": user.register or "",
            "registration_number": user.registration_number or "",
            "location_ids": [str(FIRST_LOCATION_ID)], "reason": "Reassigned"}
    data.update(changes)
    return page(client.post(f"/users/{user.id}", data=data))


def test_a_local_manager_assigns_people_only_where_they_work(client, users, login):
    other = add_location(users["manager"])
    local = working_at("manager", FIRST_LOCATION_ID)
    nurse = working_at("nurse", FIRST_LOCATION_ID)
    login(local)
    before = fingerprint()
    body = _edit(client, nurse, location_ids=[str(FIRST_LOCATION_ID), str(other.id)])
    assert "Only a manager who works at this location changes it" in body
    body = _edit(client, nurse, all_locations="y")
    assert "Only a group-wide manager" in body
    assert fingerprint() == before
    _edit(client, nurse, full_name="Nurse Renamed")  # where she works stays as it was
    assert works_at(nurse.email) == (False, [FIRST_LOCATION_ID])


def test_the_users_list_shows_where_each_works(client, users, login):
    add_location(users["manager"])
    nurse = working_at("nurse", FIRST_LOCATION_ID)
    nowhere = working_at("manager")
    login(users["manager"])
    body = page(client.get("/users/"))
    assert "<td>Main clinic</td>" in row(body, nurse)
    assert "<td>All locations</td>" in row(body, users["manager"])
    assert "<td>—</td>" in row(body, nowhere)


def _create(runner, *extra, email="new@test.clinic"):
    return runner.invoke(args=["users", "create", "--email", email, "--name", "New One",
                               "--role", "manager", "--password-stdin", *extra], input=PASSWORD)


def test_the_command_line_names_the_locations(runner, users):
    other = add_location(users["manager"])
    result = _create(runner)
    assert result.exit_code == 1 and "Name the locations this person works at" in result.output
    result = _create(runner, "--location", "quay road", "--location", "Main clinic")
    assert result.exit_code == 0, result.output
    assert works_at("new@test.clinic") == (False, [FIRST_LOCATION_ID, other.id])
    result = _create(runner, "--all-locations", email="group@test.clinic")
    assert result.exit_code == 0 and works_at("group@test.clinic") == (True, [])
    result = _create(runner, "--location", "Nowhere", email="x@test.clinic")
    assert result.exit_code == 1
    assert "No active location is called Nowhere (the locations are: Main clinic; Quay Road)" \
        in result.output


def test_at_a_provider_of_one_location_the_command_line_needs_none(runner, users):
    assert _create(runner).exit_code == 0
    assert works_at("new@test.clinic") == (False, [FIRST_LOCATION_ID])


def test_the_import_reads_locations_by_name(runner, users, tmp_path):
    other = add_location(users["manager"])
    path = tmp_path / "users.csv"
    path.write_text("email,full_name,roles,locations,all_locations\n"
                    "a@test.clinic,Ann A,manager,Quay Road;main clinic,\n"
                    "b@test.clinic,Ben B,inspector,,yes\n")
    result = runner.invoke(args=["users", "import", str(path), "--apply"])
    assert result.exit_code == 0, result.output
    assert works_at("a@test.clinic") == (False, [FIRST_LOCATION_ID, other.id])
    assert works_at("b@test.clinic") == (True, [])


def test_the_import_names_each_row_without_a_location(runner, users, tmp_path):
    add_location(users["manager"])
    path = tmp_path / "users.csv"
    path.write_text("email,full_name,roles,locations,all_locations\n"
                    "a@test.clinic,Ann A,manager,,\n"
                    "b@test.clinic,Ben B,manager,Atlantis,\n"
                    "c@test.clinic,Cy C,manager,,perhaps\n"
                    "d@test.clinic,Di D,manager,Quay Road,no\n")
    count = db.session.scalar(select(db.func.count()).select_from(User))
    result = runner.invoke(args=["users", "import", str(path), "--apply"])
    assert result.exit_code == 1
    assert "line 2: Name the locations this person works at" in result.output
    assert "line 3: No active location is called Atlantis" in result.output
    assert "line 4: all_locations 'perhaps' is neither yes nor no" in result.output
    assert "line 5" not in result.output
    assert db.session.scalar(select(db.func.count()).select_from(User)) == count
