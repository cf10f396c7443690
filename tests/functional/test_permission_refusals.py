"""Refusals by permission are refused attempts too (D4): a 403 from a route records who tried
what and the capability that refused it, once per request, and shows in the exceptions
report (D5.5); nothing else is written."""

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import AuditEvent, Prescription
from compliance.services.reports import exceptions
from compliance.services.reports.common import Filters
from tests.audit_helpers import events
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_session
from tests.treatment_helpers import injection_form, treatment_state


def _written() -> tuple:
    """Every row a refused act below could have written, audit events aside."""
    db.session.expire_all()
    return (treatment_state(), db.session.scalar(select(func.count()).select_from(Prescription)))


def _attempts(clinic) -> dict:
    session = make_session(clinic["prescription"], clinic["nurse"], local_today(),
                           [(clinic["batch"], 1_000)], signed=False)
    patient, draft = clinic["patient"], clinic["prescription"]
    return {
        "nurse writes a prescription": ("nurse", f"/patients/{patient.id}/prescriptions/new",
                                        "D3 prescribed by a doctor"),
        "nurse signs a prescription": ("nurse", f"/patients/prescriptions/{draft.id}/sign",
                                       "D3 prescribed by a doctor"),
        "manager records an injection": ("manager", f"/treatment/sessions/{session.id}/injections",
                                         "D4.1 prescribers only"),
        "manager signs a session": ("manager", f"/treatment/sessions/{session.id}/sign",
                                    "D4.1 prescribers only"),
        "nurse adds a user": ("nurse", "/users/new", "capability: manage_users"),
        "inspector records waste": ("inspector", f"/stock/batches/{clinic['batch'].id}/waste",
                                    None),
    }


ACTS = ["nurse writes a prescription", "nurse signs a prescription",
        "manager records an injection", "manager signs a session", "nurse adds a user",
        "inspector records waste"]


@pytest.mark.parametrize("act", ACTS)
def test_a_403_records_one_refused_event_with_who_what_and_the_capability(app, clinic, act):
    kind, url, rule = _attempts(clinic)[act]
    client = app.test_client()
    sign_in(client, clinic[kind])
    before, refused_before = _written(), len(events(action="refused"))
    response = client.post(url, data={**injection_form(clinic["batch"]), "password": PASSWORD})
    assert response.status_code == 403
    assert _written() == before
    new = events(action="refused")[refused_before:]
    assert len(new) == 1
    [event] = new
    assert event.actor_id == clinic[kind].id
    assert event.detail.startswith(f"POST {url}: ")
    if rule is not None:
        assert event.rule == rule
    else:
        assert event.rule.startswith("capability: ")


def test_refusals_by_permission_show_in_the_exceptions_report(app, clinic):
    client = app.test_client()
    sign_in(client, clinic["nurse"])
    url = f"/patients/{clinic['patient'].id}/prescriptions/new"
    assert client.post(url, data={}).status_code == 403
    rows = [row for row in exceptions.all_rows(Filters()) if row.kind == exceptions.REFUSED]
    [row] = [row for row in rows if url in row.detail]
    assert row.who == clinic["nurse"].full_name and row.rule == "D3 prescribed by a doctor"
    assert "Only a prescriber whose profession is doctor" in row.detail
    reader = app.test_client()
    sign_in(reader, clinic["manager"])
    page = reader.get("/reports/exceptions").get_data(as_text=True)
    # The stored code, shown in words (issue 15: no section code on a page).
    assert "Only a doctor may write or sign a prescription" in page
    assert "D3 prescribed" not in page and clinic["nurse"].full_name in page


def test_a_refusal_that_cannot_be_recorded_is_still_a_403(app, clinic, monkeypatch):
    from compliance.services import refusals

    def broken(*_args):
        raise RuntimeError("the database is away")

    monkeypatch.setattr(refusals, "record_refusal", broken)
    client = app.test_client()
    sign_in(client, clinic["nurse"])
    before = len(events())
    assert client.get("/users/").status_code == 403
    assert len(events()) == before


def test_a_hostile_path_is_not_found_and_a_long_one_is_recorded_cut_short(app, clinic):
    client = app.test_client()
    sign_in(client, clinic["nurse"])
    before = len(events(action="refused"))
    # A control character in a path matches no route: not found, before any permission.
    assert client.get("/audit/records/us%00ers/1").status_code == 404
    assert len(events(action="refused")) == before
    assert client.get(f"/audit/records/{'u' * 5000}/1").status_code == 403
    [event] = events(action="refused")[-1:]
    assert "/audit/records/uuu" in event.detail and len(event.detail) < 500


def test_anonymous_visitors_are_sent_to_sign_in_not_recorded(app, clinic):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = app.test_client().post("/users/new", data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
