"""D1 ownership over HTTP, against answers written out here: a prescriber changes only their own
sessions, a doctor signs only the drafts they wrote, a consultation is corrected only by the
prescriber who held it; the pages offer those acts to the owner only."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import InjectionReversal, SessionAddendum, TreatmentSession
from tests.conftest import sign_in
from tests.factories import (
    PASSWORD,
    make_consultation,
    make_patient,
    make_prescription,
    make_product,
    make_screening,
    make_session,
    make_user,
    ready_patient,
    receive_batch,
)
from tests.treatment_helpers import days_ago, injection_form, treatment_state

SESSION_NOT_YOURS = "administering prescriber records its injections"
DRAFT_NOT_YOURS = "Only the doctor who wrote this draft may change or sign it."
CONSULTATION_NOT_YOURS = "Only the prescriber who held the consultation may correct it."
ADDENDUM_NOT_YOURS = "Only the session&#39;s administering prescriber adds addenda to it."


@pytest.fixture
def records(users):
    """The nurse's open, empty (no injection yet) and signed sessions; the doctor's draft
    and the consultation under it; `colleague`, a second doctor."""
    product = make_product()
    batch = receive_batch(users["manager"], product)
    _patient, prescription = ready_patient(users, product)
    open_session = make_session(prescription, users["nurse"], local_today(), [(batch, 1_000)],
                                signed=False)
    empty_session = make_session(prescription, users["nurse"], local_today(), signed=False)
    signed_session = make_session(prescription, users["nurse"], days_ago(60), [(batch, 1_000)])
    patient = make_patient()
    make_screening(patient, users["doctor"], on=days_ago(250))
    consultation = make_consultation(patient, users["doctor"], days_ago(250))
    draft = make_prescription(patient, product, users["doctor"], consultation, signed=False)
    return {**users, "colleague": make_user("doctor"), "batch": batch, "open": open_session,
            "empty": empty_session, "signed": signed_session, "draft": draft,
            "consultation": consultation}


def _consultation_form(reason: str) -> dict:
    return {"held_on": days_ago(250).isoformat(), "mode": "face to face", "place": "Clinic",
            "findings": "Corrected findings", "suitable": "yes",
            "suitability_reason": "Thread veins only", "reason": reason}


@dataclass(frozen=True)
class Act:
    method: str
    url: str
    data: dict


ACTS = {
    "inject": lambda r: Act("POST", f"/treatment/sessions/{r['open'].id}/injections",
                            injection_form(r["batch"], ml="0.5")),
    "reverse": lambda r: Act("POST", f"/treatment/injections/{r['open'].injections[0].id}"
                                     "/reverse", {"rev-reason": "Wrong batch"}),
    "sign session": lambda r: Act("POST", f"/treatment/sessions/{r['open'].id}/sign",
                                  {"password": PASSWORD}),
    "void": lambda r: Act("POST", f"/treatment/sessions/{r['empty'].id}/void",
                          {"reason": "Opened for the wrong patient"}),
    "addendum": lambda r: Act("POST", f"/treatment/sessions/{r['signed'].id}/addenda",
                              {"add-text": "Seen again", "add-reason": "Follow-up call"}),
    "edit draft": lambda r: Act("GET", f"/patients/prescriptions/{r['draft'].id}/edit", {}),
    "sign draft": lambda r: Act("POST", f"/patients/prescriptions/{r['draft'].id}/sign",
                                {"password": PASSWORD}),
    "cancel draft": lambda r: Act("POST", f"/patients/prescriptions/{r['draft'].id}/cancel",
                                  {"cancel-reason": "Not needed"}),
    "open correction": lambda r: Act(
        "GET", f"/patients/consultations/{r['consultation'].id}/correct", {}),
    "correct": lambda r: Act("POST", f"/patients/consultations/{r['consultation'].id}/correct",
                             _consultation_form("Typing error")),
}
# act, who tries it: the status, what the page (or the one it redirects to) says, and whether
# anything was written. The nurse owns the sessions; the doctor the draft and the consultation.
EXPECTED = {
    ("inject", "doctor"): (200, SESSION_NOT_YOURS, False),
    ("inject", "nurse"): (302, "Injection recorded.", True),
    ("reverse", "doctor"): (302, SESSION_NOT_YOURS, False),
    ("reverse", "nurse"): (302, "Injection reversed", True),
    ("sign session", "doctor"): (200, "administering prescriber signs it off", False),
    ("sign session", "nurse"): (302, "Session signed and locked.", True),
    ("void", "doctor"): (200, "Only the session&#39;s administering prescriber may void it.",
                         False),
    ("void", "nurse"): (302, "voided: it counts for neither the course", True),
    # D1: addenda too are the session's own prescriber's (issue 12, item 11).
    ("addendum", "doctor"): (200, ADDENDUM_NOT_YOURS, False),
    ("addendum", "nurse"): (302, "Addendum added.", True),
    ("edit draft", "colleague"): (302, DRAFT_NOT_YOURS, False),
    ("edit draft", "doctor"): (200, "Save", False),
    ("sign draft", "colleague"): (302, DRAFT_NOT_YOURS, False),
    ("sign draft", "doctor"): (302, "signed.", True),
    # D1: a draft is its writer's to change, cancelling included.
    ("cancel draft", "colleague"): (302, DRAFT_NOT_YOURS, False),
    ("open correction", "nurse"): (200, "Reason for the correction", False),
    ("correct", "nurse"): (200, CONSULTATION_NOT_YOURS, False),
    ("correct", "doctor"): (302, "Consultation corrected.", True),
}


def written(records) -> tuple:
    """Everything an act above could change."""
    db.session.expire_all()
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (InjectionReversal, SessionAddendum))
    voided = db.session.scalar(select(func.count()).select_from(TreatmentSession)
                               .where(TreatmentSession.status == "voided"))
    return (treatment_state(), counts, voided, records["draft"].status,
            records["consultation"].findings)


@pytest.mark.parametrize(("act", "who"), list(EXPECTED))
def test_only_the_owner_changes_a_record(app, records, act, who):
    status, says, writes = EXPECTED[act, who]
    client = app.test_client()
    sign_in(client, records[who])
    request, before = ACTS[act](records), written(records)
    response = client.open(request.url, method=request.method, data=request.data)
    assert response.status_code == status
    page = client.get(response.headers["Location"]) if status == 302 else response
    assert says in page.get_data(as_text=True)
    assert (written(records) != before) == writes


# page, who reads it: what it offers them, and what it does not.
PAGES = {
    ("open session", "nurse"): ({"Record injection", "Sign off session", "Reverse"},
                                {"Void session"}),
    ("open session", "doctor"): (set(), {"Record injection", "Sign off session", "Reverse"}),
    ("signed session", "nurse"): ({"Add addendum"}, set()),
    ("signed session", "doctor"): (set(), {"Add addendum"}),
    # Only a session with no injection may be voided, and only by its own prescriber.
    ("empty session", "nurse"): ({"Void session", "Sign off session"}, set()),
    ("empty session", "doctor"): (set(), {"Void session", "Sign off session"}),
    ("draft", "doctor"): ({"Sign prescription", "Change the draft", "Cancel prescription"},
                          set()),
    ("draft", "colleague"): (set(), {"Sign prescription", "Change the draft",
                                     "Cancel prescription"}),
    ("consultation", "doctor"): ({">Correct</a>"}, set()),
    ("consultation", "nurse"): (set(), {">Correct</a>"}),
}
PAGE_URLS = {
    "open session": lambda r: f"/treatment/sessions/{r['open'].id}",
    "signed session": lambda r: f"/treatment/sessions/{r['signed'].id}",
    "empty session": lambda r: f"/treatment/sessions/{r['empty'].id}",
    "draft": lambda r: f"/patients/prescriptions/{r['draft'].id}",
    "consultation": lambda r: f"/patients/consultations/{r['consultation'].id}",
}


@pytest.mark.parametrize(("page", "who"), list(PAGES))
def test_pages_offer_an_owners_acts_to_the_owner_only(app, records, page, who):
    offered, withheld = PAGES[page, who]
    client = app.test_client()
    sign_in(client, records[who])
    body = client.get(PAGE_URLS[page](records)).get_data(as_text=True)
    assert {text for text in offered | withheld if text in body} == offered
