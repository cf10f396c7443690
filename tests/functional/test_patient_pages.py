"""Patient pages over HTTP: input kept with a message, nothing written, signed records locked."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Consent, Consultation, Patient, Prescription, Screening
from compliance.services import screening
from compliance.services.signatures import signatures_of
from tests.factories import (
    PASSWORD,
    SIGNATURE,
    make_consent,
    make_consultation,
    make_patient,
    make_prescription,
    make_product,
    make_screening,
    make_session,
)
from tests.patient_helpers import records_state


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def patient_form(**changes) -> dict:
    data = {"first_name": "Helen", "last_name": "Marsh", "date_of_birth": "1982-07-14",
            "sex": "female", "phone": "07700 900111", "email": "helen@example.org",
            "address": "9 Quay Street", "gp_practice": "Harbour Surgery",
            "gp_visit_advised": "y", "gp_visit_confirmed_on": ""}
    data.update(changes)
    return data


@pytest.fixture
def ready(users):
    """A patient screened clear, consented and seen face to face by the doctor."""
    patient = make_patient(first_name="Mary", last_name="Quinn")
    make_screening(patient, users["doctor"])
    make_consent(patient, users["doctor"])
    consultation = make_consultation(patient, users["doctor"])
    return patient, consultation, make_product(max_volume_per_session_ul=8_000)


def rx_form(product, consultation, **changes) -> dict:
    data = {"product_id": product.id, "consultation_id": consultation.id,
            "max_volume_per_session_ml": "6", "sessions_authorised": "4",
            "valid_from": local_today().isoformat(),
            "valid_until": (local_today() + timedelta(days=120)).isoformat(),
            "directions": "Thread veins, both calves"}
    data.update(changes)
    return data


def test_a_manager_registers_a_patient_with_a_reference_number(client, users, login):
    login(users["manager"])
    response = client.post("/patients/new", data=patient_form(), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Helen Marsh registered as P000001" in body
    assert db.session.scalar(select(Patient.reference)) == "P000001"


def test_a_future_date_of_birth_is_refused_and_the_input_kept(client, users, login):
    login(users["manager"])
    future = (date.today() + timedelta(days=5)).isoformat()
    body = client.post("/patients/new", data=patient_form(date_of_birth=future)) \
        .get_data(as_text=True)
    assert "The date of birth cannot be in the future." in body
    assert 'value="Helen"' in body and 'value="Harbour Surgery"' in body
    assert count(Patient) == 0


def test_the_list_searches_by_name_date_of_birth_and_reference(client, users, login):
    ada = make_patient(first_name="Ada", last_name="Lovelace", date_of_birth=date(1985, 12, 10))
    make_patient(first_name="Grace", last_name="Hopper")
    login(users["inspector"])
    for term in ("lovelace", "10/12/1985", ada.reference):
        body = client.get("/patients/", query_string={"q": term}).get_data(as_text=True)
        assert "Lovelace, Ada" in body and "Hopper" not in body, term


def test_an_unanswered_screening_question_is_shown_and_answers_kept(client, users, login):
    patient = make_patient()
    questions = screening.active_contraindications()
    data = {"screened_on": local_today().isoformat(), f"notes-{questions[0].id}": "Stopped 2019"}
    data.update({f"answer-{q.id}": "no" for q in questions[:-1]})
    login(users["nurse"])
    body = client.post(f"/patients/{patient.id}/screening", data=data).get_data(as_text=True)
    assert f"Answer yes or no: {questions[-1].question}" in body
    assert 'value="Stopped 2019"' in body and body.count('value="no" checked') == \
        len(questions) - 1
    assert count(Screening) == 0


def test_a_screening_with_a_yes_shows_the_contraindication_on_the_record(client, users, login):
    patient = make_patient()
    questions = screening.active_contraindications()
    data = {"screened_on": local_today().isoformat()}
    data.update({f"answer-{q.id}": "yes" if q.name == "Pregnancy" else "no" for q in questions})
    login(users["doctor"])
    body = client.post(f"/patients/{patient.id}/screening", data=data, follow_redirects=True) \
        .get_data(as_text=True)
    assert "Contraindication: Pregnancy" in body


def test_a_phone_consultation_is_recorded_and_marked_remote(client, users, login):
    patient = make_patient()
    login(users["nurse"])
    body = client.post(f"/patients/{patient.id}/consultations/new", data={
        "held_on": local_today().isoformat(), "mode": "phone", "place": "Telephone",
        "findings": "Describes thread veins", "suitable": "yes",
        "suitability_reason": "Needs to be seen"}, follow_redirects=True).get_data(as_text=True)
    assert "Remote: cannot support a prescription" in body


def test_a_consultation_without_a_reason_is_refused_with_input_kept(client, users, login):
    patient = make_patient()
    login(users["doctor"])
    body = client.post(f"/patients/{patient.id}/consultations/new", data={
        "held_on": local_today().isoformat(), "mode": "face to face", "place": "Room 7",
        "findings": "Spider veins", "suitable": "yes", "suitability_reason": ""}) \
        .get_data(as_text=True)
    assert "This field is required." in body and 'value="Room 7"' in body
    assert count(Consultation) == 0


def test_consent_is_recorded_and_withdrawn_with_a_reason(client, users, login):
    patient = make_patient()
    login(users["doctor"])
    client.post(f"/patients/{patient.id}/consents/new", data={
        "consented_on": local_today().isoformat(), "procedure": "Microsclerotherapy",
        "areas": "left calf", "risks_explained": "Bruising and pigmentation",
        "signature": SIGNATURE})
    consent = db.session.scalar(select(Consent))
    prefix = f"withdraw-{consent.id}-"
    body = client.post(f"/patients/consents/{consent.id}/withdraw", data={
        prefix + "withdrawn_on": local_today().isoformat(), prefix + "reason": "Pregnant now"},
        follow_redirects=True).get_data(as_text=True)
    assert "Consent withdrawn." in body and "Pregnant now" in body and "left calf" in body


def test_a_volume_above_the_products_maximum_is_refused_with_input_kept(client, users, login,
                                                                        ready):
    patient, consultation, product = ready
    login(users["doctor"])
    body = client.post(f"/patients/{patient.id}/prescriptions/new",
                       data=rx_form(product, consultation, max_volume_per_session_ml="9.5")) \
        .get_data(as_text=True)
    assert "At most 8 ml per session" in body and 'value="9.5"' in body
    assert 'value="Thread veins, both calves"' in body or "Thread veins, both calves" in body
    assert count(Prescription) == 0


def test_a_nurse_cannot_open_the_prescription_form(client, users, login, ready):
    patient, _, _ = ready
    login(users["nurse"])
    assert client.get(f"/patients/{patient.id}/prescriptions/new").status_code == 403


def test_the_doctor_writes_and_signs_and_the_signature_is_shown(client, users, login, ready):
    patient, consultation, product = ready
    login(users["doctor"])
    response = client.post(f"/patients/{patient.id}/prescriptions/new",
                           data=rx_form(product, consultation))
    rx = db.session.scalar(select(Prescription))
    assert response.headers["Location"].endswith(f"/patients/prescriptions/{rx.id}")
    body = client.post(f"/patients/prescriptions/{rx.id}/sign", data={"password": "wrong-one"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The password is incorrect; nothing was signed." in body and rx.status == "draft"
    body = client.post(f"/patients/prescriptions/{rx.id}/sign", data={"password": PASSWORD},
                       follow_redirects=True).get_data(as_text=True)
    [status] = signatures_of(rx)
    assert f"{rx.reference} signed." in body
    assert users["doctor"].full_name in body and "GMC 7000001" in body
    assert "signed as <em>prescribed</em>" in body
    assert status.signature.signed_at is not None and "Intact" in body


def test_a_signed_prescription_cannot_be_changed_through_any_route(client, users, login,
                                                                   ready):
    patient, consultation, product = ready
    rx = make_prescription(patient, product, users["doctor"], consultation,
                           valid_from=local_today())
    login(users["doctor"])
    before = records_state()
    response = client.get(f"/patients/prescriptions/{rx.id}/edit", follow_redirects=True)
    assert "is signed and locked" in response.get_data(as_text=True)
    for url, data in ((f"/patients/prescriptions/{rx.id}/edit",
                       rx_form(product, consultation, sessions_authorised="6")),
                      (f"/patients/prescriptions/{rx.id}/sign", {"password": PASSWORD})):
        body = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
        assert "is signed and locked" in body, url
    correct = client.post(f"/patients/consultations/{consultation.id}/correct", data={
        "held_on": local_today().isoformat(), "mode": "face to face", "place": "Elsewhere",
        "findings": "x", "suitable": "yes", "suitability_reason": "x", "reason": "typo"})
    assert "rests on this consultation" in correct.get_data(as_text=True)
    assert records_state() == before
    assert signatures_of(rx)[0].intact


def test_a_replacement_cancels_the_old_one_when_signed(client, users, login, ready):
    patient, consultation, product = ready
    old = make_prescription(patient, product, users["doctor"], consultation,
                            valid_from=local_today())
    login(users["doctor"])
    response = client.post(f"/patients/prescriptions/{old.id}/replace")
    new = db.session.scalar(select(Prescription).where(Prescription.replaces_id == old.id))
    assert response.headers["Location"].endswith(f"/patients/prescriptions/{new.id}/edit")
    client.post(f"/patients/prescriptions/{new.id}/sign", data={"password": PASSWORD})
    body = client.get(f"/patients/prescriptions/{old.id}").get_data(as_text=True)
    assert f"Replaced by {new.reference}" in body and old.status == "cancelled"


def test_the_record_shows_a_timeline_linking_to_its_sessions(client, users, login, ready):
    patient, consultation, product = ready
    rx = make_prescription(patient, product, users["doctor"], consultation)
    session = make_session(rx, users["doctor"], local_today() - timedelta(days=10),
                           areas="left calf;right calf")
    login(users["inspector"])
    body = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    for text in ("Screening for contraindications", "Consultation (face to face)",
                 f"{rx.reference}: {product.name}", "Session 1: left calf, right calf",
                 "Screened clear"):
        assert text in body, text
    link = body.split("Session 1: left calf")[0].rsplit("<h3>", 1)[1]
    assert f'href="/treatment/sessions/{session.id}"' in link


def test_a_manager_adds_and_deactivates_a_contraindication(client, users, login):
    login(users["manager"])
    body = client.post("/patients/contraindications/", data={
        "name": "Needle phobia", "question": "Can the patient tolerate needles?",
        "source": "clinic"}, follow_redirects=True).get_data(as_text=True)
    assert "Needle phobia added" in body
    item = [i for i in screening.active_contraindications() if i.name == "Needle phobia"][0]
    body = client.post(f"/patients/contraindications/{item.id}/active",
                       data={"active-reason": "Not a contraindication"},
                       follow_redirects=True).get_data(as_text=True)
    assert "no longer asked" in body
    assert item not in screening.active_contraindications()


def test_changing_a_patient_without_a_reason_keeps_the_input_and_writes_nothing(client, users,
                                                                                login):
    patient = make_patient(first_name="Nora")
    login(users["manager"])
    before = records_state()
    body = client.post(f"/patients/{patient.id}/edit",
                       data=patient_form(first_name="Norah", reason="")).get_data(as_text=True)
    assert "This field is required." in body and 'value="Norah"' in body
    assert records_state() == before
    client.post(f"/patients/{patient.id}/edit",
                data=patient_form(first_name="Norah", reason="Spelling"))
    assert patient.first_name == "Norah"


def test_a_draft_is_changed_in_ml_and_stored_in_microlitres(client, users, login, ready):
    patient, consultation, product = ready
    login(users["doctor"])
    client.post(f"/patients/{patient.id}/prescriptions/new", data=rx_form(product, consultation))
    rx = db.session.scalar(select(Prescription))
    body = client.get(f"/patients/prescriptions/{rx.id}/edit").get_data(as_text=True)
    assert 'value="6.000"' in body
    client.post(f"/patients/prescriptions/{rx.id}/edit",
                data=rx_form(product, consultation, max_volume_per_session_ml="7.25"))
    assert rx.max_volume_per_session_ul == 7_250
    body = client.get(f"/patients/prescriptions/{rx.id}").get_data(as_text=True)
    assert "7.25 ml" in body


def test_a_remote_consultation_is_refused_as_the_basis_of_a_prescription(client, users, login,
                                                                         ready):
    patient, _, product = ready
    phone = make_consultation(patient, users["doctor"], mode="video")
    login(users["doctor"])
    body = client.post(f"/patients/{patient.id}/prescriptions/new",
                       data=rx_form(product, phone)).get_data(as_text=True)
    assert "A video consultation cannot support a prescription" in body
    assert count(Prescription) == 0


def test_an_inspector_follows_a_prescription_to_its_audit_history(client, users, login, ready):
    patient, consultation, product = ready
    rx = make_prescription(patient, product, users["doctor"], consultation)
    login(users["inspector"])
    body = client.get(f"/patients/prescriptions/{rx.id}").get_data(as_text=True)
    assert f'href="/audit/records/prescriptions/{rx.id}"' in body
    assert "Sign prescription" not in body and "Cancel prescription" not in body
    assert client.get(f"/audit/records/prescriptions/{rx.id}").status_code == 200


def test_a_second_course_is_refused_beside_the_product_with_the_input_kept(client, users, login,
                                                                           ready):
    patient, consultation, product = ready
    rx = make_prescription(patient, product, users["doctor"], consultation)
    login(users["doctor"])
    before = records_state()
    body = client.post(f"/patients/{patient.id}/prescriptions/new",
                       data=rx_form(product, consultation, directions="Second course?")
                       ).get_data(as_text=True)
    assert (f"{rx.reference} for {product.name} is still valid, until "
            f"{rx.valid_until:%d %b %Y}, with 6 sessions left: cancel it (with a reason) or "
            "replace it instead of writing a new prescription.") in body
    assert body.count("still valid, until") == 2  # flashed, and beside the product field
    assert "Second course?" in body
    assert records_state() == before
