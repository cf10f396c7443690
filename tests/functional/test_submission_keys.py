"""A form sent twice (a double tap, a page sent again) is recorded once: each form carries a
one-time submission key, and a repeat of it writes nothing and goes where the first went,
also when both arrive at the same moment (on SQLite and PostgreSQL)."""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.forms import new_submission_key
from compliance.services import screening, stock
from tests.audit_helpers import events
from tests.concurrency import at_once
from tests.conftest import sign_in
from tests.factories import (
    PASSWORD,
    SIGNATURE,
    make_consultation,
    make_patient,
    make_screening,
    make_session,
)
from tests.treatment_helpers import days_ago, injection_form, session_form

ALREADY = "This was already recorded when the form was first sent; it was not recorded again."


def every_row() -> dict:
    """How many rows each table holds, the audit trail and the submissions included."""
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@dataclass
class Post:
    who: str
    url: str
    data: dict
    prefix: str = ""


def _open(clinic):
    return make_session(clinic["prescription"], clinic["nurse"], local_today(),
                        [(clinic["batch"], 1_000)], signed=False)


def _fresh_patient(clinic):
    patient = make_patient()
    make_screening(patient, clinic["doctor"], on=days_ago(250))
    return patient, make_consultation(patient, clinic["doctor"], days_ago(250))


def _screening_data() -> dict:
    data = {"screened_on": local_today().isoformat()}
    data.update({f"answer-{q.id}": "no" for q in screening.active_contraindications()})
    return data


def _recall(clinic) -> Post:
    make_session(clinic["prescription"], clinic["nurse"], days_ago(40), [(clinic["other"], 500)])
    stock.change_state(clinic["manager"], clinic["other"].id, "recall", "Supplier notice")
    return Post("manager", f"/reports/trace/batches/{clinic['other'].id}/contacts", {
        "patient_id": str(clinic["patient"].id), "method": "phone", "outcome": "Spoke to her"})


def _witnessed(clinic) -> dict:
    return {"waste-containers": "1", "waste-volume_ml": "0", "waste-waste_reason": "breakage",
            "waste-reason": "Dropped", "waste-second_email": clinic["doctor"].email,
            "waste-second_password": PASSWORD}


FORMS = {
    "injection": lambda c: Post("nurse", f"/treatment/sessions/{_open(c).id}/injections",
                                injection_form(c["batch"]), "inj-"),
    "open session": lambda c: Post(
        "nurse", f"/treatment/sessions/new?patient_id={c['patient'].id}",
        session_form(c["prescription"], local_today())),
    "receive stock": lambda c: Post("manager", "/stock/receive", {
        "product_id": c["product"].id, "batch_number": "LOT42",
        "expires_on": days_ago(-400).isoformat(), "supplier": "Medi Supplies",
        "delivery_reference": "INV-991", "containers": "10", "storage_area_id": "1",
        "receive": "1"}),
    "waste": lambda c: Post("manager", f"/stock/batches/{c['batch'].id}/waste", _witnessed(c),
                            "waste-"),
    "return": lambda c: Post("manager", f"/stock/batches/{c['batch'].id}/return", {
        "ret-containers": "1", "ret-reason": "Damaged box"}, "ret-"),
    "adjust": lambda c: Post("manager", f"/stock/batches/{c['batch'].id}/adjust", {
        "adj-containers": "-1", "adj-reason": "Miscounted"}, "adj-"),
    "stocktake": lambda c: Post("manager", "/stock/stocktake", {
        f"count-{c['batch'].id}": "29", f"reason-{c['batch'].id}": "One broken",
        f"count-{c['other'].id}": "30", "second_email": c["doctor"].email,
        "second_password": PASSWORD}),
    "consent": lambda c: Post("doctor", f"/patients/{make_patient().id}/consents/new", {
        "consented_on": local_today().isoformat(), "procedure": "Microsclerotherapy",
        "areas": "left calf", "risks_explained": "Bruising and pigmentation",
        "signature": SIGNATURE}),
    "screening": lambda c: Post("doctor", f"/patients/{make_patient().id}/screening",
                                _screening_data()),
    "consultation": lambda c: Post("doctor", f"/patients/{make_patient().id}/consultations/new",
                                   {"held_on": local_today().isoformat(), "mode": "face to face",
                                    "place": "Room 7", "findings": "Spider veins",
                                    "suitable": "yes", "suitability_reason": "Legs only"}),
    "follow-up": lambda c: Post(
        "nurse", f"/treatment/sessions/{make_session(c['prescription'], c['nurse'], days_ago(30), [(c['batch'], 500)]).id}/follow-ups",  # noqa: E501
        {"seen_on": local_today().isoformat(), "effects": ["bruising"], "severity": "",
         "notes": "Healing"}),
    "prescription": lambda c: (lambda patient, consultation: Post(
        "doctor", f"/patients/{patient.id}/prescriptions/new", {
            "product_id": c["product"].id, "consultation_id": consultation.id,
            "max_volume_per_session_ml": "6", "sessions_authorised": "4",
            "valid_from": local_today().isoformat(),
            "valid_until": days_ago(-120).isoformat(), "directions": "Both calves"}))(
        *_fresh_patient(c)),
    "addendum": lambda c: Post("nurse", "/treatment/sessions/{}/addenda".format(make_session(
        c["prescription"], c["nurse"], days_ago(30), [(c["batch"], 500)]).id),
        {"add-text": "Seen again", "add-reason": "Follow-up call"}, "add-"),
    "recall contact": _recall,
    "new patient": lambda c: Post("manager", "/patients/new", {
        "first_name": "Helen", "last_name": "Marsh", "date_of_birth": "1982-07-14",
        "sex": "female", "phone": "07700 900111", "email": "helen@example.org",
        "address": "9 Quay Street", "gp_practice": "Harbour Surgery"}),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_a_form_sent_twice_is_recorded_once(app, clinic, form):
    post = FORMS[form](clinic)
    client = app.test_client()
    sign_in(client, clinic[post.who])
    data = {**post.data, f"{post.prefix}submission_key": new_submission_key()}
    before = every_row()
    first = client.post(post.url, data=data)
    assert first.status_code == 302, first.get_data(as_text=True)
    recorded = every_row()
    assert recorded != before
    again = client.post(post.url, data=data)
    assert (again.status_code, again.headers["Location"]) == (302, first.headers["Location"])
    assert every_row() == recorded
    assert ALREADY in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_new_key_records_again_and_a_forged_one_is_not_a_guard(app, clinic):
    """The key only stops repeats: two injections with two keys are two injections; a key not
    made by the form (empty, huge, hostile) is ignored rather than answered with a 500."""
    session = _open(clinic)
    client = app.test_client()
    sign_in(client, clinic["nurse"])
    url, before = f"/treatment/sessions/{session.id}/injections", every_row()["injections"]
    for key in (new_submission_key(), new_submission_key(), "", "x" * 100_000,
                "' OR 1=1 --", "A" * 32):
        response = client.post(url, data={**injection_form(clinic["batch"], ml="0.1"),
                                          "inj-submission_key": key})
        assert response.status_code == 302
    assert every_row()["injections"] == before + 6
    # A control character is refused by every form before anything is looked up.
    response = client.post(url, data={**injection_form(clinic["batch"], ml="0.1"),
                                      "inj-submission_key": "abc\x00def"})
    assert response.status_code == 200 and every_row()["injections"] == before + 6


def test_a_repeat_refused_the_first_time_is_tried_again(app, clinic):
    """A refused submission wrote nothing, its key included: corrected, it is recorded."""
    session = _open(clinic)
    client = app.test_client()
    sign_in(client, clinic["nurse"])
    key, url = new_submission_key(), f"/treatment/sessions/{session.id}/injections"
    too_much = injection_form(clinic["batch"], ml="9", **{"inj-submission_key": key})
    assert client.post(url, data=too_much).status_code == 200
    # Refused inside the one-time wrapper, and recorded under the workflow's own name.
    assert events(action="refused")[-1].detail.startswith("record an injection: ")
    response = client.post(url, data={**too_much, "inj-volume_ml": "0.5"})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Injection recorded." in follow


FORM_PAGES = {
    "injection": lambda c: (f"/treatment/sessions/{_open(c).id}", "inj-submission_key"),
    "addendum": lambda c: ("/treatment/sessions/{}".format(make_session(
        c["prescription"], c["nurse"], days_ago(30), [(c["batch"], 500)]).id),
        "add-submission_key"),
    "waste": lambda c: (f"/stock/batches/{c['batch'].id}", "waste-submission_key"),
    "receive": lambda c: ("/stock/receive", "submission_key"),
    "stocktake": lambda c: ("/stock/stocktake", "submission_key"),
    "open session": lambda c: (f"/treatment/sessions/new?patient_id={c['patient'].id}",
                               "submission_key"),
}


@pytest.mark.parametrize("page", list(FORM_PAGES))
def test_each_form_is_shown_with_a_fresh_key(app, clinic, page):
    url, name = FORM_PAGES[page](clinic)
    client = app.test_client()
    sign_in(client, clinic["nurse"] if "session" in url else clinic["manager"])
    keys = [re.search(rf'name="{name}"[^>]*value="([0-9a-f]{{32}})"',
                      client.get(url).get_data(as_text=True)) for _ in range(2)]
    assert all(keys) and keys[0].group(1) != keys[1].group(1)


def test_a_double_tapped_injection_is_recorded_once_at_the_same_moment(app, clinic):
    session, email = _open(clinic), clinic["nurse"].email
    url = f"/treatment/sessions/{session.id}/injections"
    data = {**injection_form(clinic["batch"]), "inj-submission_key": new_submission_key()}
    before = every_row()

    def tap(ready):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code \
            == 302
        ready()
        response = client.post(url, data=data)
        return response.status_code, response.headers.get("Location")

    outcomes = at_once(app, [tap, tap])
    assert outcomes == [(302, f"/treatment/sessions/{session.id}#record-injection")] * 2
    after = every_row()
    assert after["injections"] == before["injections"] + 1
    assert after["ledger_entries"] == before["ledger_entries"] + 1
    assert after["form_submissions"] == before["form_submissions"] + 1
