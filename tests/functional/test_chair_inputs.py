"""Issue 15 at the chair: opening a session never answers 500 and chooses the only
prescription there is; the next injection keeps the last one's batch and site; a scanned code
sent alone (a scanner's Enter, without JavaScript) chooses its batch instead of asking for a
volume; the page comes back to the form with the newest injection listed by it."""

import re

import pytest

from compliance.extensions import db
from tests.factories import make_prescription, make_product, ready_patient
from tests.fingerprint import fingerprint
from tests.treatment_helpers import days_ago, inject, open_session, session_form

GTIN = "05060012345020"


def selected(body: str, select_id: str) -> str:
    """The value of the option chosen in the select `select_id` of a page."""
    select = re.search(rf'<select[^>]* id="{select_id}"[^>]*>(.*?)</select>', body, re.S).group(1)
    chosen = [re.search(r'value="([^"]*)"', attributes).group(1)
              for attributes in re.findall(r"<option([^>]*)>", select)
              if re.search(r"\bselected\b", attributes)]
    return chosen[0] if chosen else ""


def new_session_url(patient) -> str:
    return f"/treatment/sessions/new?patient_id={patient.id}"


def test_the_only_prescription_in_force_is_chosen_already(client, clinic, login):
    login(clinic["nurse"])
    body = client.get(new_session_url(clinic["patient"])).get_data(as_text=True)
    assert selected(body, "prescription_id") == str(clinic["prescription"].id)


def test_with_two_prescriptions_in_force_the_prescriber_chooses(client, clinic, login):
    make_prescription(clinic["patient"], make_product("3"), clinic["doctor"])
    login(clinic["nurse"])
    body = client.get(new_session_url(clinic["patient"])).get_data(as_text=True)
    assert selected(body, "prescription_id") == "0"


def _prescription_id(clinic, kind: str) -> str:
    """A prescription id the session cannot be opened under, of the kind named."""
    patient, product, doctor = clinic["patient"], clinic["product"], clinic["doctor"]
    if kind == "another patient's":
        return str(ready_patient(clinic, product)[1].id)
    if kind == "expired":
        return str(make_prescription(patient, product, doctor, valid_from=days_ago(400),
                                     days_valid=30).id)
    if kind == "unsigned":
        return str(make_prescription(patient, product, doctor, signed=False).id)
    if kind == "cancelled":
        clinic["prescription"].status = "cancelled"
        db.session.commit()
        return str(clinic["prescription"].id)
    return {"none chosen": "0", "left out": None, "not a number": "1; drop", "huge": "9" * 30,
            "negative": "-1"}[kind]


@pytest.mark.parametrize("kind", ["none chosen", "left out", "not a number", "huge", "negative",
                                  "another patient's", "expired", "unsigned", "cancelled"])
def test_a_session_under_no_usable_prescription_is_refused_beside_it_input_kept(
        client, clinic, login, kind):
    prescription_id = _prescription_id(clinic, kind)
    form = session_form(clinic["prescription"], days_ago(0),
                        areas=("left calf", "right shin"))
    if prescription_id is None:
        del form["prescription_id"]
    else:
        form["prescription_id"] = prescription_id
    login(clinic["nurse"])
    before = fingerprint()
    response = client.post(new_session_url(clinic["patient"]), data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fingerprint() == before
    field = re.search(r'<div class="field has-error">\s*<label for="prescription_id">.*?</div>',
                      body, re.S)
    assert field and 'class="error-text"' in field.group()
    ticked = re.findall(r'<input checked[^>]* value="([^"]+)"', body)
    assert ticked == ["left calf", "right shin"] and "Keep this note" in body


def injection_page(client, session) -> str:
    return client.get(f"/treatment/sessions/{session.id}").get_data(as_text=True)


def test_the_first_injection_starts_from_no_batch_and_the_first_area(client, clinic, login):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0), areas=("right shin", "left calf"))
    login(clinic["nurse"])
    body = injection_page(client, session)
    assert selected(body, "inj-batch_id") == "0"
    assert selected(body, "inj-site") == "right shin"


def test_the_next_injection_keeps_the_last_batch_and_site(client, clinic, login):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0), areas=("left calf", "right calf"))
    inject(clinic["nurse"], session, clinic["batch"], site="left calf")
    login(clinic["nurse"])
    response = client.post(f"/treatment/sessions/{session.id}/injections", data={
        "inj-batch_id": str(clinic["other"].id), "inj-volume_ml": "0.5",
        "inj-site": "right calf", "inj-points": "2"})
    assert response.headers["Location"].endswith(f"/{session.id}#record-injection")
    body = injection_page(client, session)
    assert selected(body, "inj-batch_id") == str(clinic["other"].id)
    assert selected(body, "inj-site") == "right calf"
    newest = re.findall(r'<tr id="newest-injection-\d+"[^>]*><td>[^<]*</td><td>([^<]+)</td>',
                        body)
    assert newest == ["B2", "A1"]


def test_a_scanned_code_sent_alone_chooses_its_batch_and_asks_for_nothing(client, clinic,
                                                                          login):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    login(clinic["nurse"])
    before = fingerprint()
    response = client.post(f"/treatment/sessions/{session.id}/injections", data={
        "inj-barcode": "(17)301231(10)b2", "inj-batch_id": "0", "inj-volume_ml": "",
        "inj-site": "left calf", "inj-points": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and fingerprint() == before
    assert "Batch B2 scanned: enter the volume." in body
    assert "error-text" not in body
    assert selected(body, "inj-batch_id") == str(clinic["other"].id)
    assert re.search(r'<input[^>]* id="inj-barcode"[^>]* value=""', body)
    assert re.search(r'<input[^>]*autofocus[^>]* id="inj-volume_ml"', body)


@pytest.mark.parametrize("barcode, message", [
    ("(01)05060012345037(10)B2", "is not STS 1% 2 ml ampoule, the prescribed product"),
    ("(01)05060012345020(10)NOPE",
     "No batch NOPE of the prescribed product is in stock here at Main clinic."),
    ("not a code", "This is not a GS1 barcode we can read"),
    ("(01)05060012345020(17)301231", "This code names no batch"),
    ("(10)B2\x01", "Remove the control character U+0001"),
])
def test_a_scan_that_names_no_usable_batch_is_refused_beside_it(client, clinic, login, barcode,
                                                                message):
    clinic["product"].gtin = GTIN
    db.session.commit()
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    login(clinic["nurse"])
    before = fingerprint()
    for volume in ("", "0.5"):  # the scan alone, and the scan sent with the injection
        response = client.post(f"/treatment/sessions/{session.id}/injections", data={
            "inj-barcode": barcode, "inj-batch_id": "0", "inj-volume_ml": volume,
            "inj-site": "left calf", "inj-points": "1"})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and fingerprint() == before
        assert message in body and 'aria-invalid="true" autocomplete="off"' in body


def test_a_scanned_code_sent_with_the_volume_records_from_its_batch(client, clinic, login):
    clinic["product"].gtin = GTIN
    db.session.commit()
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    login(clinic["nurse"])
    response = client.post(f"/treatment/sessions/{session.id}/injections", data={
        "inj-barcode": f"01{GTIN}17301231\x1d10B2".replace("\x1d", "<GS>"),
        "inj-batch_id": str(clinic["batch"].id), "inj-volume_ml": "0.5",
        "inj-site": "left calf", "inj-points": "1"})
    assert response.status_code == 302
    db.session.refresh(session)
    assert [i.batch.batch_number for i in session.injections] == ["B2"]
