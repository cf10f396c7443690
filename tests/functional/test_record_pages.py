"""The patient record over HTTP: the contraindication banner, clinical actions disabled with
their reason, course progress and the next allowed date (record, Today, session header), and
same-day items in the order they were recorded."""

import re
from datetime import UTC, datetime, timedelta

from compliance.extensions import db
from compliance.services import screening
from tests.factories import (
    make_consent,
    make_consultation,
    make_patient,
    make_prescription,
    make_product,
    make_screening,
    make_session,
)
from tests.treatment_helpers import days_ago


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def disabled_button(body: str, name: str) -> str | None:
    """The reason shown beside the disabled button `name`, or None if it is not disabled."""
    match = re.search(rf'<button type="button" class="button" disabled '
                      rf'aria-describedby="([\w-]+)">{name}</button>\s*'
                      rf'<p class="action-reason" id="\1">(.*?)</p>', body, re.S)
    return " ".join(match.group(2).split()) if match else None


def test_a_contraindication_shows_a_banner_and_disables_both_actions(client, clinic, login):
    patient = clinic["patient"]
    found = make_screening(patient, clinic["doctor"], frozenset({"Contraceptive pill"}),
                           on=days_ago(2))
    login(clinic["doctor"])
    body = page(client, f"/patients/{patient.id}")
    banner = body.split('id="contraindication-banner"')[1].split("</div>")[0]
    assert 'role="alert"' in body.split('id="contraindication-banner"')[0].rsplit("<div", 1)[1]
    assert "Contraindication: Contraceptive pill" in banner
    assert f"Found at the screening of {days_ago(2):%d %b %Y}" in banner
    assert f'href="/patients/screenings/{found.id}"' in banner
    assert disabled_button(body, "Write a prescription") == (
        "The current screening records a contraindication: Contraceptive pill. Treatment "
        "cannot be prescribed.")
    assert disabled_button(body, "Start a session") == (
        "Contraindication present: Contraceptive pill.")
    assert f'href="/patients/{patient.id}/prescriptions/new"' not in body
    assert f'href="/treatment/sessions/new?patient_id={patient.id}"' not in body


def test_a_patient_screened_clear_has_no_banner_and_both_actions(client, clinic, login):
    patient = clinic["patient"]
    login(clinic["doctor"])
    body = page(client, f"/patients/{patient.id}")
    assert "contraindication-banner" not in body and "disabled" not in body
    assert f'href="/treatment/sessions/new?patient_id={patient.id}"' in body
    assert "0 of 6 sessions given; next: <strong>session 1 of 6</strong>" in body
    assert "No session yet, so the interval between sessions sets no date." in body


def test_the_flash_after_screening_names_a_contraindication_and_is_not_a_success(
        client, users, login):
    patient = make_patient()
    questions = screening.active_contraindications()
    login(users["doctor"])

    def screen(yes: str) -> str:
        data = {"screened_on": days_ago(0).isoformat()}
        data.update({f"answer-{q.id}": "yes" if q.name == yes else "no" for q in questions})
        return client.post(f"/patients/{patient.id}/screening", data=data,
                           follow_redirects=True).get_data(as_text=True)

    body = screen("Contraceptive pill")
    assert not re.search(r'flash-success[^>]*>Screening', body)
    assert re.search(r'class="flash flash-warning"[^>]*>Screening recorded; it found a '
                     r"contraindication: Contraceptive pill\.", body)
    body = screen("none")
    assert 'class="flash flash-success" role="status">Screening recorded; it is now' in body


def test_a_session_too_soon_is_disabled_with_the_next_allowed_date_on_three_pages(
        client, clinic, login):
    patient, rx = clinic["patient"], clinic["prescription"]
    last = make_session(rx, clinic["nurse"], days_ago(0), number=1)
    allowed_from = f"{days_ago(-28):%d %b %Y}"
    login(clinic["nurse"])
    body = page(client, f"/patients/{patient.id}")
    reason = disabled_button(body, "Start a session")
    assert reason == (f"The previous session was on {days_ago(0):%d %b %Y}, 0 days before; "
                      f"sessions must be at least 28 days apart. Next session allowed from "
                      f"{allowed_from}.")
    assert "1 of 6 sessions given; next: <strong>session 2 of 6</strong>" in body
    assert f"Next session allowed from <strong>{allowed_from}</strong>" in body

    today = page(client, "/treatment/today")
    waiting = today.split('id="waiting-table"')[1].split("</table>")[0]
    assert patient.full_name in waiting and "session 2 of 6" in waiting
    assert allowed_from in waiting
    assert patient.full_name not in today.split('id="due-table"')[1].split("</table>")[0]
    assert f"session 1 of 6 · next allowed from {allowed_from}" in today

    header = page(client, f"/treatment/sessions/{last.id}").split("</h1>")[0:2]
    assert "session 1 of 6" in header[0]
    assert f"Next session allowed from <strong>{allowed_from}</strong>" in header[1]


def test_a_patient_due_again_may_start_a_session_and_is_listed_as_due(client, clinic, login):
    patient, rx = clinic["patient"], clinic["prescription"]
    make_session(rx, clinic["nurse"], days_ago(30), number=1)
    login(clinic["nurse"])
    body = page(client, f"/patients/{patient.id}")
    assert disabled_button(body, "Start a session") is None
    assert f'href="/treatment/sessions/new?patient_id={patient.id}"' in body
    assert f"Next session allowed from {days_ago(2):%d %b %Y}" in body
    due = page(client, "/treatment/today").split('id="due-table"')[1].split("</table>")[0]
    row = due.split(patient.full_name)[1].split("</tr>")[0]
    assert "session 2 of 6" in row and f"{days_ago(2):%d %b %Y}" in row


def _at(hour: int, minute: int = 0) -> datetime:
    """Today at a UTC time well inside the clinic's day (London is UTC or UTC+1)."""
    day = days_ago(0)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_same_day_items_are_ordered_by_the_time_they_were_recorded(client, users, login):
    patient = make_patient()
    doctor = users["doctor"]
    consultation = make_consultation(patient, doctor)
    consent = make_consent(patient, doctor)
    found = make_screening(patient, doctor)
    rx = make_prescription(patient, make_product(), doctor, consultation,
                           valid_from=days_ago(0))
    session = make_session(rx, users["nurse"], days_ago(0))
    # Recorded in an order unlike the kinds': consent, session... as a busy day might go.
    for record, at in ((found, _at(9)), (consent, _at(8)), (consultation, _at(10)),
                       (session, _at(12))):
        setattr(record, "started_at" if record is session else "recorded_at", at)
    rx.signed_at = _at(11)
    db.session.commit()
    login(users["inspector"])
    body = page(client, f"/patients/{patient.id}").split('class="record-timeline"')[1]
    kinds = re.findall(r'<p class="timeline-kind">(.*?)</p>', body)
    assert kinds == ["Treatment session", "Prescription", "Consultation", "Screening",
                     "Consent"]


def test_the_day_comes_first_a_back_dated_record_stays_on_its_day(client, users, login):
    patient = make_patient()
    consent = make_consent(patient, users["doctor"], on=days_ago(1))
    consent.recorded_at = _at(9) - timedelta(days=1)
    make_screening(patient, users["doctor"], on=days_ago(3))  # entered now, back-dated
    db.session.commit()
    login(users["inspector"])
    body = page(client, f"/patients/{patient.id}").split('class="record-timeline"')[1]
    assert re.findall(r'<p class="timeline-kind">(.*?)</p>', body) == ["Consent", "Screening"]
    dates = re.findall(r'<div class="timeline-date">(.*?)</div>', body)
    # The time of entry is shown only on the day it was entered: not beside the back-dated one.
    assert dates[1] == f"{days_ago(3):%d %b %Y}" and '<span class="timeline-time">' in dates[0]
