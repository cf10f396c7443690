"""The eight refusals of D4, through the pages: the message, the input kept, nothing written."""

import pytest

from compliance.errors import NotAPrescriber
from compliance.models import Consent
from compliance.services import stock
from tests.audit_helpers import events, execute_raw
from tests.factories import (
    make_consent,
    make_consultation,
    make_patient,
    make_prescription,
    make_screening,
    ready_patient,
    receive_batch,
)
from tests.treatment_helpers import (
    days_ago,
    inject,
    injection_form,
    open_session,
    session_form,
    treatment_state,
)


def refused_page(client, url, data, message, kept):
    """Post `data`, expect `message` on the page with `kept` still in the form, and no write."""
    before = treatment_state()
    response = client.post(url, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:300]
    assert message in body, body[body.find("flash"):][:600]
    assert kept in body
    assert treatment_state() == before
    return body


def new_session_url(patient):
    return f"/treatment/sessions/new?patient_id={patient.id}"


def test_rule_1_a_manager_cannot_record_an_injection(client, login, clinic):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    login(clinic["manager"])
    before = treatment_state()
    response = client.post(f"/treatment/sessions/{session.id}/injections",
                           data=injection_form(clinic["batch"]))
    assert response.status_code == 403
    with pytest.raises(NotAPrescriber, match="Only a prescriber"):
        inject(clinic["manager"], session, clinic["batch"])
    assert treatment_state() == before
    assert events(action="refused")[-1].rule == "D4.1 prescribers only"


def test_rule_2_no_valid_signed_prescription(client, login, clinic):
    draft = make_prescription(clinic["patient"], clinic["product"], clinic["doctor"],
                              signed=False)
    login(clinic["nurse"])
    refused_page(client, new_session_url(clinic["patient"]), session_form(draft, days_ago(0)),
                 "is not signed by a doctor", "Keep this note")
    expired_day = clinic["prescription"].valid_until + (days_ago(0) - days_ago(1))
    refused_page(client, new_session_url(clinic["patient"]),
                 session_form(clinic["prescription"], days_ago(300)), "is valid from",
                 days_ago(300).isoformat())
    assert expired_day


def test_rule_2_a_prescription_signed_by_a_nurse_is_not_valid(client, login, clinic):
    patient = make_patient()
    make_screening(patient, clinic["doctor"])
    make_consent(patient, clinic["doctor"])
    by_nurse = make_prescription(patient, clinic["product"], clinic["nurse"])
    login(clinic["nurse"])
    refused_page(client, new_session_url(patient), session_form(by_nurse, days_ago(0)),
                 "is not signed by a doctor", "Keep this note")


def test_rule_3_a_contraindication_is_a_hard_stop(client, login, clinic):
    make_screening(clinic["patient"], clinic["doctor"], present=frozenset({"Pregnancy"}))
    login(clinic["nurse"])
    refused_page(client, new_session_url(clinic["patient"]),
                 session_form(clinic["prescription"], days_ago(0)),
                 "Contraindication present: Pregnancy", "Keep this note")


def test_rule_3_no_face_to_face_consultation(client, login, clinic):
    patient = make_patient()
    make_screening(patient, clinic["doctor"])
    make_consent(patient, clinic["doctor"])
    phone = make_consultation(patient, clinic["doctor"], mode="phone")
    prescription = make_prescription(patient, clinic["product"], clinic["doctor"], phone)
    login(clinic["nurse"])
    refused_page(client, new_session_url(patient), session_form(prescription, days_ago(0)),
                 "no face-to-face consultation", "Keep this note")


def test_rule_3_no_consent_on_record(client, login, clinic):
    execute_raw("UPDATE consents SET withdrawn_on = :day WHERE patient_id = :p",
                day=days_ago(2), p=clinic["patient"].id)
    login(clinic["nurse"])
    refused_page(client, new_session_url(clinic["patient"]),
                 session_form(clinic["prescription"], days_ago(0)),
                 "no consent on record", "Keep this note")
    assert Consent.query.count() == 1


def test_rule_4_sessions_above_the_authorisation(client, login, clinic):
    patient, prescription = ready_patient(clinic, clinic["product"], sessions=1)
    open_session(clinic["nurse"], patient, prescription, days_ago(40))
    login(clinic["nurse"])
    refused_page(client, new_session_url(patient), session_form(prescription, days_ago(0)),
                 "authorises 1 sessions; this would be session 2", "Keep this note")


def test_rule_5_fewer_than_28_days_since_the_previous_session(client, login, clinic):
    open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(21))
    login(clinic["nurse"])
    refused_page(client, new_session_url(clinic["patient"]),
                 session_form(clinic["prescription"], days_ago(0)),
                 "21 days before; sessions must be at least 28 days apart", "Keep this note")


def test_rule_5_a_back_dated_session_too_close_to_a_later_one(client, login, clinic):
    open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(79))
    open_session(clinic["nurse"], clinic["patient"], clinic["prescription"], days_ago(30))
    login(clinic["nurse"])
    body = refused_page(client, new_session_url(clinic["patient"]),
                        session_form(clinic["prescription"], days_ago(49)),
                        "19 days after; sessions must be at least 28 days apart",
                        days_ago(49).isoformat())
    assert "Keep this note" in body


def test_rule_6_volume_above_the_maximum_per_session(client, login, clinic):
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    inject(clinic["nurse"], session, clinic["batch"], 7_000)
    login(clinic["nurse"])
    refused_page(client, f"/treatment/sessions/{session.id}/injections",
                 injection_form(clinic["batch"], ml="1.5", points="7"),
                 "the maximum per session is 8 ml (1 ml left)", 'value="7"')


@pytest.mark.parametrize("spoil, message", [
    ("expired", "expired on"),
    ("quarantine", "is quarantined"),
    ("recall", "has been recalled"),
    ("empty", "holds 0 ml"),
])
def test_rule_7_an_unusable_batch_is_refused(client, login, clinic, spoil, message):
    manager, nurse = clinic["manager"], clinic["nurse"]
    bad = receive_batch(manager, clinic["product"], containers=2, batch_number="BAD",
                        expires_in_days=30)
    session = open_session(nurse, clinic["patient"], clinic["prescription"], days_ago(0))
    if spoil == "expired":
        execute_raw("UPDATE batches SET expires_on = :d WHERE id = :id", d=days_ago(1), id=bad.id)
    elif spoil == "empty":
        stock.record_return(manager, bad.id, 2, "Sent back")
    else:
        stock.change_state(manager, bad.id, spoil, "Supplier notice")
    login(nurse)
    refused_page(client, f"/treatment/sessions/{session.id}/injections",
                 injection_form(bad, ml="1", points="9"), message, 'value="9"')


def test_rule_8_only_the_legs_are_treated(client, login, clinic):
    login(clinic["nurse"])
    refused_page(client, new_session_url(clinic["patient"]),
                 session_form(clinic["prescription"], days_ago(0), areas=("face",)),
                 "Not on the legs: face", "Keep this note")
