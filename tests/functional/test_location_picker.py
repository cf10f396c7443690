"""The current location in the header (D7): every signed-in user sees it; someone who works at
one location never chooses it; someone at several (or all) picks it in a small form that goes
back to the page it was on, and only to this site. Sessions are recorded where the prescriber
works now."""

import html
import re

import pytest
from flask import g
from sqlalchemy import select

from compliance.extensions import db
from compliance.models import TreatmentSession
from compliance.models.location import FIRST_LOCATION_ID
from compliance.services import location_admin
from tests.factories import make_product, ready_patient
from tests.fingerprint import fingerprint
from tests.location_helpers import add_location, working_at
from tests.treatment_helpers import days_ago, session_form

PICKER = re.compile(r'<select id="current-location" name="location_id">(.*?)</select>', re.S)


def header(client, path: str = "/") -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


def offered(body: str) -> tuple[list[str], str | None]:
    """The locations the header's picker offers, and the one it shows chosen."""
    found = PICKER.search(body)
    if found is None:
        return [], None
    options = re.findall(r"<option value=\"\d+\"( selected)?>([^<]*)</option>", found.group(1))
    return [name for _, name in options], next((n for chosen, n in options if chosen), None)


def choose(client, location_id, next_url="/treatment/today"):
    return client.post("/location", data={"location_id": str(location_id), "next": next_url})


def test_someone_at_one_location_sees_it_and_never_chooses(client, users, login):
    add_location(users["manager"])
    login(working_at("nurse", FIRST_LOCATION_ID))
    body = header(client)
    assert offered(body) == ([], None)
    assert '<span class="location" id="current-location">Main clinic</span>' in body


def test_someone_at_two_locations_picks_the_current_one(client, users, login):
    other = add_location(users["manager"])
    login(working_at("nurse", FIRST_LOCATION_ID, other))
    assert offered(header(client)) == (["Main clinic", "Quay Road"], "Main clinic")
    response = choose(client, other.id)
    assert response.status_code == 302 and response.headers["Location"] == "/treatment/today"
    body = header(client, "/treatment/today")
    assert offered(body) == (["Main clinic", "Quay Road"], "Quay Road")
    assert "You are working at Quay Road now." in body


def test_a_group_wide_user_picks_any_active_location(client, users, login):
    other = add_location(users["manager"])
    closed = add_location(users["manager"], "Ferry Lane")
    location_admin.deactivate_location(users["manager"], closed.id, "Lease ended")
    login(users["inspector"])
    assert offered(header(client))[0] == ["Main clinic", "Quay Road"]
    choose(client, other.id)
    assert offered(header(client))[1] == "Quay Road"


@pytest.mark.parametrize("value", ["elsewhere", "closed", "", "abc", "-1", "9" * 30, "1\x00"])
def test_a_location_one_does_not_work_at_is_not_chosen(client, users, login, value):
    other = add_location(users["manager"])
    elsewhere = add_location(users["manager"], "Ferry Lane")
    closed = add_location(users["manager"], "Mill Street")
    location_admin.deactivate_location(users["manager"], closed.id, "Lease ended")
    login(working_at("nurse", FIRST_LOCATION_ID, other, closed))
    location_id = {"elsewhere": elsewhere.id, "closed": closed.id}.get(value, value)
    response = choose(client, location_id)
    assert response.status_code == 302
    body = header(client)
    assert "Choose one of the locations you work at." in body
    assert offered(body)[1] == "Main clinic"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "", "/x\x00y"])
def test_the_picker_goes_back_only_to_a_page_of_this_site(client, users, login, target):
    other = add_location(users["manager"])
    login(working_at("nurse", FIRST_LOCATION_ID, other))
    response = choose(client, other.id, target)
    assert response.headers["Location"] == "/"


def test_the_picker_comes_back_to_the_page_with_its_query(client, users, login):
    other = add_location(users["manager"])
    login(working_at("nurse", FIRST_LOCATION_ID, other))
    body = header(client, "/patients/?q=Doe")
    assert 'name="next" value="/patients/?q=Doe"' in body
    assert choose(client, other.id, "/patients/?q=Doe").headers["Location"] == "/patients/?q=Doe"


def test_someone_assigned_nowhere_is_told_so(client, users, login):
    add_location(users["manager"])
    login(working_at("manager"))
    assert '<span class="location tag tag-warn" id="current-location">No location assigned' \
        in header(client)


def test_a_session_is_recorded_at_the_location_chosen(client, users, login):
    other = add_location(users["manager"])
    _patient, prescription = ready_patient(users, make_product())
    nurse = working_at("nurse", FIRST_LOCATION_ID, other)
    login(nurse)
    choose(client, other.id)
    url = f"/treatment/sessions/new?patient_id={prescription.patient_id}"
    assert "The session is recorded at <strong>Quay Road</strong>" in header(client, url)
    response = client.post(url, data=session_form(prescription, days_ago(0)))
    assert response.status_code == 302
    session = db.session.scalar(select(TreatmentSession))
    assert session.location_id == other.id
    body = header(client, response.headers["Location"])
    assert "<dt>Location</dt><dd>Quay Road</dd>" in body
    assert "Quay Road" in header(client, "/treatment/today").split("Your sessions today")[1]
    assert f"By {nurse.full_name} at Quay Road" in header(client, f"/patients/{session.patient_id}")


def test_a_prescriber_assigned_nowhere_opens_no_session(client, users, login):
    add_location(users["manager"])
    _patient, prescription = ready_patient(users, make_product())
    login(working_at("nurse"))
    url = f"/treatment/sessions/new?patient_id={prescription.patient_id}"
    assert "You are not assigned to a location" in header(client, url)
    before = fingerprint()
    body = html.unescape(client.post(url, data=session_form(prescription, days_ago(0)))
                         .get_data(as_text=True))
    assert "You are not assigned to a location: ask a manager to assign you." in body
    assert fingerprint() == before


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_choosing_a_location_needs_the_pages_token(client, users, app_overrides):
    other = add_location(users["manager"])
    nurse = working_at("nurse", FIRST_LOCATION_ID, other)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": nurse.email, "password": "Correct-Horse-Battery-9",
                                "csrf_token": token})
    assert choose(client, other.id).status_code == 400
    g.pop("csrf_token", None)  # the test's app context outlives requests: forget the old token
    body = client.get("/").get_data(as_text=True)
    token = re.search(r'action="/location" class="inline location-picker">\s*'
                      r'<input type="hidden" name="csrf_token" value="([^"]+)"', body).group(1)
    response = client.post("/location", data={"location_id": other.id, "next": "/",
                                              "csrf_token": token})
    assert response.status_code == 302
    assert offered(header(client))[1] == "Quay Road"
