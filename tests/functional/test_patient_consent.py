"""The patient's own consent over HTTP: signed on the tablet (strokes kept and drawn back on
the record), or the reason there is no signature; refused with neither, or with strokes that
are not a signature, the input kept and nothing written. SQLite and PostgreSQL alike."""

import json

import pytest
from sqlalchemy import select

from compliance.clock import local_today
from compliance.consent_text import consent_text, text_sha256
from compliance.extensions import db
from compliance.models import Consent
from tests.factories import SIGNATURE, make_patient
from tests.fingerprint import fingerprint

DRAWN_PATH = "M40 120L90 60L140 130L200 70L260 125 M30 160L280 165"


def consent_form(**changes) -> dict:
    data = {"consented_on": local_today().isoformat(), "procedure": "Microsclerotherapy",
            "areas": "Left calf and ankle", "risks_explained": "Bruising and pigmentation",
            "signature": "", "unsigned_reason": ""}
    data.update(changes)
    return data


def post_consent(client, patient, **changes):
    return client.post(f"/patients/{patient.id}/consents/new", data=consent_form(**changes))


def refused(client, patient, **changes) -> str:
    """A consent that must be refused: the form again, with its input, and nothing written."""
    before = fingerprint()
    response = post_consent(client, patient, **changes)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    assert fingerprint() == before
    body = response.get_data(as_text=True)
    assert 'value="Left calf and ankle"' in body and "Bruising and pigmentation" in body
    return body


def test_the_form_shows_the_statement_the_patient_signs(client, users, login):
    patient = make_patient()
    login(users["nurse"])
    body = client.get(f"/patients/{patient.id}/consents/new").get_data(as_text=True)
    assert f"I, {patient.full_name} (patient {patient.reference}), confirm that:" in body
    assert "data-signature-pad" in body and ">Clear</button>" in body
    assert "/static/js/signature-pad.js" in body


def test_a_signed_consent_keeps_the_strokes_and_the_hash_of_the_text_shown(client, users,
                                                                          login):
    patient = make_patient()
    login(users["nurse"])
    # A text sent by the browser is not what is kept: the server hashes what it rendered.
    response = post_consent(client, patient, signature=SIGNATURE,
                            consent_text="I consent to anything", consent_text_sha256="0" * 64)
    assert response.status_code == 302
    consent = db.session.scalar(select(Consent))
    assert json.loads(consent.patient_signature) == json.loads(SIGNATURE)
    assert consent.unsigned_reason is None
    assert consent.consent_text == consent_text(patient.full_name, patient.reference)
    assert consent.consent_text_sha256 == text_sha256(consent.consent_text)
    record = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert f'<path d="{DRAWN_PATH}"/>' in record and "Signed by the patient." in record
    listed = client.get(f"/patients/{patient.id}/consents").get_data(as_text=True)
    assert f'<path d="{DRAWN_PATH}"/>' in listed and consent.consent_text_sha256 in listed
    assert "Text as shown" in listed and "data-print" in listed


def test_a_consent_without_a_signature_records_the_reason(client, users, login):
    patient = make_patient()
    login(users["doctor"])
    response = post_consent(client, patient,
                            unsigned_reason="  Patient unable to sign on tablet  ")
    assert response.status_code == 302
    consent = db.session.scalar(select(Consent))
    assert consent.patient_signature is None
    assert consent.unsigned_reason == "Patient unable to sign on tablet"
    assert consent.consent_text_sha256 == text_sha256(consent.consent_text)
    record = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Not signed by the patient: Patient unable to sign on tablet" in record
    assert "<svg class=\"drawn-signature\"" not in record


def test_a_consent_with_neither_signature_nor_reason_is_refused_beside_the_box(client, users,
                                                                              login):
    patient = make_patient()
    login(users["doctor"])
    body = refused(client, patient, signature="[]")
    assert ("Ask the patient to sign in the box, or give the reason they could not sign on "
            "the tablet.") in body
    assert 'class="signature-pad field has-error"' in body


def test_a_signature_and_a_reason_together_are_refused_and_the_signature_kept(client, users,
                                                                              login):
    patient = make_patient()
    login(users["doctor"])
    body = refused(client, patient, signature=SIGNATURE, unsigned_reason="Cannot sign")
    assert "The patient has signed: clear the reason" in body
    assert f'value="{SIGNATURE}"' in body


def test_other_refusals_keep_the_drawn_signature_for_the_next_try(client, users, login):
    patient = make_patient()
    login(users["doctor"])
    body = refused(client, patient, signature=SIGNATURE, areas="Left calf and ankle",
                   consented_on="")
    assert f'value="{SIGNATURE}"' in body


@pytest.mark.parametrize("signature, message", [
    ("[[[300,100]]]", "too small to be a signature"),
    ("[[[300,100],[302,101]]]", "too small to be a signature"),
    ("{\"strokes\": 1}", "could not be read (not a list of strokes)"),
    ("[[[-10, 5], [200, 100]]]", "could not be read (a point lies outside the box)"),
    ("[[[1e308, 5], [200, 100]]]", "could not be read (a point lies outside the box)"),
    ("[[[NaN, 5], [200, 100]]]", "could not be read (not a drawing)"),
    ("[[[\"<script>alert(1)</script>\", 1]]]", "could not be read (a point is not a pair"),
    ("[" * 30_000, "could not be read (not a drawing)"),
    ("[" * 50_000, "could not be read (too much drawing)"),
    ("[[[1,1]]" + ",[[1,1]]" * 70 + "]", "could not be read (more than 60 strokes)"),
    ("\"/><script>alert(1)</script>", "could not be read (not a drawing)"),
    ("[[[1,\u00002]]]", "Remove the control character U+0000"),
])
def test_hostile_strokes_are_refused_with_a_message_and_the_box_emptied(client, users, login,
                                                                       signature, message):
    patient = make_patient()
    login(users["nurse"])
    body = refused(client, patient, signature=signature,
                   unsigned_reason="Signed on paper as well")
    assert message in body
    # The refused drawing is not sent back: the patient signs afresh on an empty box.
    assert '<input type="hidden" name="signature" id="signature"\n             value="">' in body
    assert "<script>alert(1)</script>" not in body
