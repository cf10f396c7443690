"""Audit pages: filters, a record's history, verification and CSV export."""

from datetime import date, timedelta

from compliance.extensions import db
from compliance.services import audit, audit_verify
from compliance.services.signatures import sign
from tests.audit_helpers import events, execute_raw
from tests.factories import PASSWORD
from tests.reports.reading import csv_parts


def rename(user, name):
    user.full_name = name
    db.session.commit()


def test_inspector_sees_events_and_the_head_hash(client, users, login):
    rename(users["nurse"], "Rhiannon Jones-Evans")
    login(users["inspector"])
    body = client.get("/audit/").get_data(as_text=True)
    assert "Rhiannon Jones-Evans" in body
    assert audit.head()[1] in body


def test_filters_narrow_the_events(client, users, login):
    rename(users["nurse"], "Renamed Nurse")
    login(users["manager"])
    body = client.get("/audit/", query_string={"action": "login"}).get_data(as_text=True)
    assert "<ins>Renamed Nurse</ins>" not in body and "login" in body
    body = client.get("/audit/", query_string={"table": "users",
                                               "record": str(users["nurse"].id)}).get_data(
        as_text=True)
    assert "<ins>Renamed Nurse</ins>" in body
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    body = client.get("/audit/", query_string={"date_from": tomorrow}).get_data(as_text=True)
    assert "No events match these filters." in body


def test_pages_of_events_use_keyset_links(client, users, login):
    for n in range(60):
        rename(users["nurse"], f"Name {n}")
    login(users["manager"])
    first = client.get("/audit/").get_data(as_text=True)
    assert "Older events" in first
    oldest_on_first = min(e.seq for e in events()[-50:])
    second = client.get("/audit/", query_string={"before": oldest_on_first})
    assert "Name 0" in second.get_data(as_text=True)


def test_a_records_history_and_its_state_on_a_date(client, users, login):
    nurse = users["nurse"]
    rename(nurse, "Rhiannon Jones-Evans")
    login(users["inspector"])
    url = f"/audit/records/users/{nurse.id}"
    body = client.get(url, query_string={"at": date.today().isoformat()}).get_data(as_text=True)
    assert "Rhiannon Jones-Evans" in body and "At the end of" in body
    past = (date.today() - timedelta(days=3)).isoformat()
    body = client.get(url, query_string={"at": past}).get_data(as_text=True)
    assert "did not exist yet" in body


def test_a_record_changed_after_signing_is_shown_so(client, users, login):
    sign(users["nurse"], users["doctor"], PASSWORD, "prescribed")
    db.session.commit()
    login(users["inspector"])
    url = f"/audit/records/users/{users['nurse'].id}"
    assert "Intact" in client.get(url).get_data(as_text=True)
    execute_raw("UPDATE users SET full_name = 'Tampered' WHERE id = :id", id=users["nurse"].id)
    body = client.get(url).get_data(as_text=True)
    assert "Changed after signing" in body and "GMC 7000001" in body


def test_verification_page_reports_the_chain(client, users, login):
    login(users["inspector"])
    _seq, head = audit.head()
    body = client.post("/audit/verify", follow_redirects=True).get_data(as_text=True)
    assert "every hash and link intact" in body and head in body
    recorded = audit_verify.last_recorded()  # who checked, and what they found
    assert recorded.by == users["inspector"].full_name and recorded.verification.head == head


def test_opening_the_verification_page_runs_no_verification(client, users, login):
    login(users["manager"])
    body = client.get("/audit/verify").get_data(as_text=True)
    assert "not been verified yet" in body and 'action="/audit/verify"' in body
    assert audit_verify.last_recorded() is None and not events(action="verify")
    client.post("/audit/verify")
    client.get("/audit/export.csv")  # one more event after the check
    body = client.get("/audit/verify").get_data(as_text=True)
    assert "every hash and link intact" in body and "1 event(s) recorded since" in body
    assert len(events(action="verify")) == 1


def test_csv_export_is_filtered_neutralised_and_itself_audited(client, users, login):
    rename(users["nurse"], "=HYPERLINK(\"http://evil\")")
    login(users["inspector"])
    response = client.get("/audit/export.csv", query_string={"table": "users"})
    assert response.mimetype == "text/csv"
    preamble, rows = csv_parts(response.get_data(as_text=True))
    assert preamble[0] == ["Audit trail"] and preamble[3] == ["filters", "table=users"]
    assert rows[0][:3] == ["seq", "occurred_at_utc", "actor_id"]
    assert all(row[5] == "users" for row in rows[1:])
    assert not any(cell.startswith("=") for row in rows for cell in row)
    export = events(action="export")[-1]
    assert export.actor_id == users["inspector"].id and "table=users" in export.detail


def test_prescribers_cannot_read_the_audit_trail(client, users, login):
    login(users["nurse"])
    assert client.get("/audit/").status_code == 403


def test_a_printed_audit_report_states_the_chain_verified_now_and_records_no_verification(
        client, users, login):
    login(users["inspector"])
    response = client.get("/reports/audit.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert not events(action="verify")  # reading a report is not a state change
    assert audit_verify.last_recorded() is None
