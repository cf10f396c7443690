"""Managers create, edit, deactivate and reset accounts in the web UI."""

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import User
from tests.conftest import sign_in

NEW_DOCTOR = {"email": "Sam.Okafor@test.clinic", "full_name": "Dr Sam Okafor",
              "roles": ["prescriber"], "profession": "doctor", "register": "GMC",
              "registration_number": "7654321", "password": "Sclero-Ledger-Witness-42",
              "confirm": "Sclero-Ledger-Witness-42"}


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_manager_creates_a_doctor(client, users, login):
    login(users["manager"])
    response = client.post("/users/new", data=NEW_DOCTOR, follow_redirects=True)
    assert "Account created for Dr Sam Okafor" in response.get_data(as_text=True)
    created = db.session.scalar(select(User).where(User.email == "sam.okafor@test.clinic"))
    assert created.roles == {"prescriber"} and created.registration == "GMC 7654321"


def test_a_bad_gmc_number_is_shown_next_to_the_field_and_input_kept(client, users, login):
    login(users["manager"])
    before = count()
    response = client.post("/users/new", data={**NEW_DOCTOR, "registration_number": "12345"})
    body = response.get_data(as_text=True)
    assert "A GMC number has exactly 7 digits." in body
    assert 'value="Dr Sam Okafor"' in body and 'value="12345"' in body
    assert count() == before


def test_a_weak_password_is_refused(client, users, login):
    login(users["manager"])
    before = count()
    weak = {**NEW_DOCTOR, "password": "password1234", "confirm": "password1234"}
    body = client.post("/users/new", data=weak).get_data(as_text=True)
    assert "list of common passwords" in body
    assert count() == before


def test_manager_edits_roles(client, users, login):
    login(users["manager"])
    nurse = users["nurse"]
    data = {"email": nurse.email, "full_name": nurse.full_name, "roles": ["prescriber", "manager"],
            "profession": "nurse", "register": "NMC", "registration_number": "12A3456E",
            "reason": "Now also runs the stock room"}
    client.post(f"/users/{nurse.id}", data=data)
    db.session.refresh(nurse)
    assert nurse.roles == {"prescriber", "manager"}


def test_deactivation_needs_a_reason_and_ends_the_users_sessions(app, client, users, login):
    login(users["manager"])
    nurse_client = app.test_client()
    sign_in(nurse_client, users["nurse"])
    client.post(f"/users/{users['nurse'].id}/active", data={"access-reason": ""})
    assert nurse_client.get("/").status_code == 200
    client.post(f"/users/{users['nurse'].id}/active", data={"access-reason": "Left the clinic"})
    assert nurse_client.get("/").status_code == 302
    listing = client.get("/users/").get_data(as_text=True)
    assert "Deactivated" in listing


def test_forced_reset_shows_a_one_time_password_once(client, users, login):
    login(users["manager"])
    body = client.post(f"/users/{users['nurse'].id}/reset-password").get_data(as_text=True)
    assert "shown only once" in body
    db.session.refresh(users["nurse"])
    assert users["nurse"].must_change_password


def test_navigation_shows_each_role_only_its_menu(client, users, login):
    login(users["manager"])
    assert 'href="/users/"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(users["inspector"])
    assert 'href="/users/"' not in client.get("/").get_data(as_text=True)


NEW_INSPECTOR = {"email": "insp@regulator.example", "full_name": "Ida Inspector",
                 "roles": ["inspector"], "profession": "other", "register": "",
                 "registration_number": "", "password": "Sclero-Ledger-Witness-42",
                 "confirm": "Sclero-Ledger-Witness-42"}


def test_an_inspector_account_needs_an_access_end_date(client, users, login):
    """D7: an inspector's access names an end date; the form says so beside the field and
    keeps what was typed."""
    login(users["manager"])
    before = count()
    body = client.post("/users/new", data=NEW_INSPECTOR).get_data(as_text=True)
    assert "An inspector&#39;s access needs an end date." in body
    assert 'value="Ida Inspector"' in body and count() == before
    client.post("/users/new", data={**NEW_INSPECTOR, "access_expires_on": "2030-01-31"})
    created = db.session.scalar(select(User).where(User.email == "insp@regulator.example"))
    assert created.access_expires_on.isoformat() == "2030-01-31"
