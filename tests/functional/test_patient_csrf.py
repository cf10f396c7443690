"""CSRF on the patient forms whose tokens are rendered by hand or carry a prefix."""

import re

import pytest
from flask import g

from compliance.services import screening
from tests.factories import make_consent, make_patient


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def token(client, path: str, name: str) -> str:
    # The fixture's app context outlives requests, and Flask-WTF caches the token on `g`;
    # a real server would render each page with a token from the current session.
    g.pop("csrf_token", None)
    html = client.get(path).get_data(as_text=True)
    return re.search(rf'name="{re.escape(name)}"[^>]* value="([^"]+)"', html).group(1)


def signed_in(client, user):
    login_token = token(client, "/login", "csrf_token")
    client.post("/login", data={"email": user.email, "password": "Correct-Horse-Battery-9",
                                "csrf_token": login_token})


def test_deactivating_a_contraindication_needs_the_token(client, users):
    signed_in(client, users["manager"])
    item = screening.active_contraindications()[0]
    url = f"/patients/contraindications/{item.id}/active"
    assert client.post(url, data={"active-reason": "Test"}).status_code == 400
    assert item in screening.active_contraindications()
    good = token(client, "/patients/contraindications/", "active-csrf_token")
    client.post(url, data={"active-reason": "Test", "active-csrf_token": good})
    assert item not in screening.active_contraindications()


def test_withdrawing_consent_needs_the_token(client, users):
    patient = make_patient()
    consent = make_consent(patient, users["doctor"])
    signed_in(client, users["doctor"])
    prefix = f"withdraw-{consent.id}-"
    data = {prefix + "withdrawn_on": consent.consented_on.isoformat(), prefix + "reason": "No"}
    url = f"/patients/consents/{consent.id}/withdraw"
    assert client.post(url, data=data).status_code == 400
    data[prefix + "csrf_token"] = token(client, f"/patients/{patient.id}/consents",
                                        prefix + "csrf_token")
    client.post(url, data=data)
    assert consent.withdrawn_reason == "No"

