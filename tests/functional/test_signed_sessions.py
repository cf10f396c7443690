"""A signed session cannot be changed through any route; its signature shows who and what."""

import pytest

from compliance.clock import local_today
from compliance.services import treatment
from tests.factories import PASSWORD, make_product, ready_patient, receive_batch
from tests.treatment_helpers import inject, injection_form, open_session, treatment_state


@pytest.fixture
def signed(users):
    product = make_product()
    batch = receive_batch(users["manager"], product)
    patient, prescription = ready_patient(users, product)
    session = open_session(users["nurse"], patient, prescription, local_today())
    injection = inject(users["nurse"], session, batch, 1_200)
    treatment.sign_session(users["nurse"], session.id, PASSWORD)
    return session, injection, batch


def test_no_route_changes_a_signed_session(client, login, users, signed):
    session, injection, batch = signed
    login(users["nurse"])
    before = treatment_state()
    attempts = {
        f"/treatment/sessions/{session.id}/injections": injection_form(batch),
        f"/treatment/injections/{injection.id}/reverse": {"rev-reason": "Wrong"},
        f"/treatment/sessions/{session.id}/sign": {"password": PASSWORD},
    }
    for url, data in attempts.items():
        response = client.post(url, data=data, follow_redirects=True)
        assert "signed and locked" in response.get_data(as_text=True), url
    assert treatment_state() == before


def test_the_signed_session_page_shows_the_signature(client, login, users, signed):
    session, _injection, _batch = signed
    login(users["inspector"])
    body = client.get(f"/treatment/sessions/{session.id}").get_data(as_text=True)
    nurse = users["nurse"]
    assert nurse.full_name in body and "NMC 12A3456E" in body and "administered" in body
    assert "Intact" in body and "Record injection" not in body


def test_an_addendum_is_the_way_to_add_to_a_signed_session(client, login, users, signed):
    session, _injection, _batch = signed
    login(users["nurse"])
    body = client.post(f"/treatment/sessions/{session.id}/addenda", data={
        "add-text": "Mild bruising at follow-up call", "add-reason": "Patient phoned"},
        follow_redirects=True).get_data(as_text=True)
    assert "Addendum added." in body and "Mild bruising at follow-up call" in body
