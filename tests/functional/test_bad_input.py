"""The bad input of issue 12 that got a server error or was taken though implausible: each
now gets a clear message beside its field (or a 400/404 page for a bad address), the input
kept, and nothing written; the same on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from tests.factories import make_consultation, make_patient
from tests.fingerprint import fingerprint
from tests.treatment_helpers import days_ago, injection_form, open_session, session_form

HUGE = str(10**25)
DATE_RANGE = "Enter a date from 01 Jan 1900 to "


def refused(client, url: str, data: dict | None = None, status: int = 200,
            method: str = "POST") -> str:
    """Send a request that must be refused with `status`, write nothing, and answer a page."""
    before = fingerprint()
    response = client.open(url, method=method, data=data)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    assert fingerprint() == before
    return response.get_data(as_text=True)


@pytest.mark.parametrize("prescription_id", ["0", "", "999999", HUGE, "abc"])
def test_a_session_with_no_prescription_chosen_asks_for_one(client, clinic, login,
                                                            prescription_id):
    login(clinic["nurse"])
    body = refused(client, f"/treatment/sessions/new?patient_id={clinic['patient'].id}",
                   session_form(clinic["prescription"], days_ago(0),
                                prescription_id=prescription_id))
    assert "Choose a prescription." in body and "Keep this note" in body


def test_an_injection_without_its_site_asks_for_it(client, clinic, login):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    login(clinic["nurse"])
    form = injection_form(clinic["batch"])
    del form["inj-site"]
    body = refused(client, f"/treatment/sessions/{session.id}/injections", form)
    assert "Choose where the injection was given." in body and 'value="1.5"' in body


@pytest.mark.parametrize("text", ["Ja\x00ne", "Ja\x1bne", "Jane\n"])
def test_a_control_character_in_a_text_field_is_refused(client, users, login, text):
    login(users["manager"])
    body = refused(client, "/patients/new", {
        "first_name": text, "last_name": "Harbour", "date_of_birth": "1970-01-02",
        "sex": "female", "gp_practice": "Harbour Surgery"})
    assert "Remove the control character U+00" in body and 'value="Harbour Surgery"' in body


def test_multi_line_text_keeps_its_line_breaks_but_not_a_nul(client, clinic, login):
    login(clinic["nurse"])
    url = f"/treatment/sessions/new?patient_id={clinic['patient'].id}"
    body = refused(client, url, session_form(clinic["prescription"], days_ago(0),
                                             notes="Line one\r\nline\ttwo\x00"))
    assert "Remove the control character U+0000" in body
    assert client.post(url, data=session_form(clinic["prescription"], days_ago(0),
                                              notes="Line one\r\nline\ttwo")).status_code == 302


@pytest.mark.parametrize("url", ["/patients/?q=a%00b", "/stock/?q=%00"])
def test_a_nul_in_a_search_is_a_400_that_says_why(client, users, login, url):
    login(users["manager"])
    assert "Remove the control character U+0000" in refused(client, url, status=400,
                                                             method="GET")


def test_a_nul_in_a_report_filter_is_shown_beside_it(client, users, login):
    login(users["manager"])
    body = refused(client, "/reports/trace?batch=A%001", status=400, method="GET")
    assert "Remove the control character U+0000" in body


@pytest.mark.parametrize("query", [
    "product=abc", f"product={HUGE}", "page=99999999999999999999999", "page=-1", "page=abc",
    "sort=nonsense", "state=%00", "direction=%00"])
def test_stock_filters_ignore_what_cannot_be_meant(client, users, login, query):
    login(users["manager"])
    assert client.get(f"/stock/?{query}").status_code == 200


@pytest.mark.parametrize("query", ["before=", "before=abc", f"before={HUGE}", "before=-5"])
def test_the_audit_trail_pages_ignore_an_impossible_position(client, users, login, query):
    login(users["manager"])
    assert client.get(f"/audit/?{query}").status_code == 200


@pytest.mark.parametrize("query, message", [
    (f"page={HUGE}", "Enter a whole number from 1 to 42,949,672."),
    ("page=0", "The page number must be from 1 to 42,949,672."),
    ("page=42949673", "The page number must be from 1 to 42,949,672."),
    ("sort=nonsense", "Not a valid choice."),
    ("date_to=9999-12-31", DATE_RANGE),
    ("date_from=0001-01-01", DATE_RANGE),
    ("product=%C2%B2&batch=A1", "Not a valid choice."),
])
def test_report_filters_that_cannot_be_meant_get_a_message(client, users, login, query,
                                                          message):
    login(users["manager"])
    assert message in refused(client, f"/reports/sessions?{query}", status=400, method="GET")


@pytest.mark.parametrize("report", ["sessions", "audit", "trace", "exceptions"])
def test_the_last_page_a_report_allows_is_an_empty_page(client, users, login, report):
    """The rows it skips still fit the database's integer."""
    login(users["manager"])
    assert client.get(f"/reports/{report}?page=42949672").status_code == 200


@pytest.mark.parametrize("url", [f"/patients/{HUGE}", "/patients/2147483648",
                                 f"/stock/batches/{HUGE}", f"/audit/records/users/{HUGE}x"])
def test_an_id_no_record_can_have_is_a_404(client, users, login, url):
    login(users["manager"])
    assert client.get(url).status_code in (404, 200)
    assert client.get(url.replace(HUGE, "1%00")).status_code == 404


def test_a_recall_contact_for_an_impossible_patient_is_refused(client, clinic, login):
    login(clinic["manager"])
    for patient_id in (HUGE, "²", "-1"):
        response = client.post(f"/reports/trace/batches/{clinic['batch'].id}/contacts",
                               data={"patient_id": patient_id, "method": "phone",
                                     "outcome": "No answer"})
        assert response.status_code == 302


@pytest.mark.parametrize("path, field", [
    ("consents/new", "consented_on"), ("consultations/new", "held_on"),
    ("screening", "screened_on")])
def test_patient_events_dated_0001_are_refused_with_the_range(client, clinic, login, path,
                                                              field):
    login(clinic["doctor"])
    body = refused(client, f"/patients/{clinic['patient'].id}/{path}", {
        field: "0001-01-01", "procedure": "Microsclerotherapy", "areas": "legs",
        "risks_explained": "Bruising", "mode": "face to face", "place": "Room 1",
        "findings": "Veins", "suitable": "yes", "suitability_reason": "Fit"})
    assert DATE_RANGE in body and "01 Jan 0001" not in body


def test_a_consent_before_the_patient_was_born_is_refused(client, users, login):
    patient = make_patient()
    login(users["doctor"])
    body = refused(client, f"/patients/{patient.id}/consents/new", {
        "consented_on": "1950-01-01", "procedure": "Microsclerotherapy", "areas": "legs",
        "risks_explained": "Bruising"})
    assert "The date of consent cannot be before the patient&#39;s date of birth " \
           "(17 May 1980)." in body


@pytest.mark.parametrize("valid_until, message", [
    ("9999-12-31", DATE_RANGE),
    (None, "A prescription is valid for at most 365 days: choose a date until"),
])
def test_a_prescription_is_valid_for_at_most_a_year(client, clinic, login, valid_until,
                                                    message):
    consultation = make_consultation(clinic["patient"], clinic["doctor"])
    login(clinic["doctor"])
    start = local_today()
    body = refused(client, f"/patients/{clinic['patient'].id}/prescriptions/new", {
        "product_id": clinic["product"].id, "consultation_id": consultation.id,
        "max_volume_per_session_ml": "4", "sessions_authorised": "6",
        "valid_from": start.isoformat(),
        "valid_until": valid_until or (start + timedelta(days=366)).isoformat()})
    assert message in body


def test_a_megabyte_screening_note_is_refused_not_cut(client, clinic, login):
    login(clinic["doctor"])
    from compliance.services.screening import active_contraindications

    questions = active_contraindications()
    data = {"screened_on": local_today().isoformat(),
            **{f"answer-{q.id}": "no" for q in questions},
            f"notes-{questions[0].id}": "n" * 1_000_000}
    body = refused(client, f"/patients/{clinic['patient'].id}/screening", data)
    assert "Enter at most 1,000 characters (this has 1,000,000)." in body


def test_a_stocktake_reason_too_long_is_refused_not_cut(client, clinic, login):
    login(clinic["manager"])
    batch = clinic["batch"]
    body = refused(client, "/stock/stocktake", {
        f"count-{b.id}": "30" for b in (batch, clinic["other"])} | {
        f"reason-{batch.id}": "r" * 501})
    assert "The reason: Enter at most 500 characters (this has 501)." in body


def test_every_form_of_the_app_is_a_compliance_form():
    """The checks above hold for a form only through the base class."""
    from flask_wtf import FlaskForm

    from compliance.forms import EmptyForm, Form

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [f for f in subclasses(FlaskForm) if f.__module__.startswith("compliance")]
    assert EmptyForm in ours
    assert [f.__qualname__ for f in ours if not issubclass(f, Form)] == []


@pytest.mark.parametrize("containers", ["1" * 4001, HUGE, "-" + HUGE])
def test_a_number_too_large_for_any_range_is_refused(client, users, login, containers):
    login(users["manager"])
    body = refused(client, "/stock/receive", {"containers": containers})
    assert "Enter a whole number from 1 to 100,000." in body


@pytest.mark.parametrize("volume", ["NaN", "sNaN", "-Infinity"])
def test_a_volume_that_is_not_a_number_is_refused(client, clinic, login, volume):
    login(clinic["doctor"])
    body = refused(client, f"/patients/{clinic['patient'].id}/prescriptions/new",
                   {"max_volume_per_session_ml": volume})
    assert "Enter a number." in body


@pytest.mark.parametrize("batch_id", [HUGE, "abc", "0", "-1"])
def test_an_injection_from_an_impossible_batch_is_refused(client, clinic, login, batch_id):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    login(clinic["nurse"])
    body = refused(client, f"/treatment/sessions/{session.id}/injections",
                   injection_form(clinic["batch"], **{"inj-batch_id": batch_id}))
    assert "Choose a batch or scan its pack." in body and 'value="1.5"' in body
