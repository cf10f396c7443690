"""Voiding a session through its page: the reason beside its field, nothing half-written, and
the voided session shown as voided wherever sessions are listed."""

import pytest
from sqlalchemy import select

from compliance.extensions import db
from compliance.models import TreatmentSession
from tests.treatment_helpers import days_ago, inject, open_session, treatment_state

REASON = "Opened for the wrong patient"


@pytest.fixture
def empty(clinic):
    return open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(0))


def void_url(session) -> str:
    return f"/treatment/sessions/{session.id}/void"


def statuses() -> list[tuple]:
    db.session.expire_all()
    return list(db.session.execute(select(TreatmentSession.id, TreatmentSession.status,
                                          TreatmentSession.void_reason)))


def refused(client, session, data, message) -> str:
    before = (treatment_state(), statuses())
    response = client.post(void_url(session), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:300]
    assert message in body
    assert (treatment_state(), statuses()) == before
    return body


def test_the_prescriber_voids_an_empty_session_from_its_page(client, login, clinic, empty):
    login(clinic["nurse"])
    page = client.get(f"/treatment/sessions/{empty.id}").get_data(as_text=True)
    assert "Void session" in page and 'data-confirm="Void this session?' in page
    response = client.post(void_url(empty), data={"reason": REASON}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Session 1 voided: it counts for neither the course nor the interval" in body
    assert f"Voided by {clinic['nurse'].full_name}" in body and REASON in body
    assert "Void session" not in body and "Sign off session" not in body
    assert empty.status == "voided"


@pytest.mark.parametrize("data, message", [
    ({}, "Give the reason for voiding this session."),
    ({"reason": "   "}, "Give the reason for voiding this session."),
    ({"reason": "x" * 501}, "Enter at most 500 characters (this has 501)."),
])
def test_a_missing_or_overlong_reason_is_refused_beside_the_field(client, login, clinic, empty,
                                                                 data, message):
    login(clinic["nurse"])
    body = refused(client, empty, data, message)
    assert 'class="field has-error"' in body and "<details open>" in body


def test_a_hostile_reason_is_kept_as_text(client, login, clinic, empty):
    login(clinic["nurse"])
    hostile = "<script>alert(1)</script>'; DROP TABLE treatment_sessions; --"
    body = client.post(void_url(empty), data={"reason": hostile},
                       follow_redirects=True).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert empty.void_reason == hostile


def test_a_session_with_an_injection_is_refused_with_a_clear_message(client, login, clinic,
                                                                    empty):
    inject(clinic["nurse"], empty, clinic["batch"])
    login(clinic["nurse"])
    assert "Void session" not in client.get(f"/treatment/sessions/{empty.id}").get_data(
        as_text=True)
    refused(client, empty, {"reason": REASON},
            "A session with injections cannot be voided: this one has 1 injection on record")


@pytest.mark.parametrize("session_id", ["999999", "abc", "-1"])
def test_an_unknown_session_is_not_found(client, login, clinic, session_id):
    login(clinic["nurse"])
    before = treatment_state()
    response = client.post(f"/treatment/sessions/{session_id}/void", data={"reason": REASON})
    assert response.status_code == 404
    assert treatment_state() == before


def test_reports_and_the_record_show_a_voided_session_marked(client, login, clinic, empty):
    login(clinic["nurse"])
    client.post(void_url(empty), data={"reason": REASON})
    assert "Voided" in client.get(f"/patients/{clinic['patient'].id}").get_data(as_text=True)
    client.post("/logout")
    login(clinic["manager"])
    report = client.get("/reports/sessions").get_data(as_text=True)
    assert '<span class="tag tag-warn">voided</span>' in report and REASON in report
    assert "(<strong>1</strong> voided before any injection)" in report
    assert f"voided: {REASON}" in client.get("/reports/sessions.csv").get_data(as_text=True)
    activity = client.get("/reports/activity").get_data(as_text=True)
    assert "<strong>0</strong> treatment sessions" in activity
