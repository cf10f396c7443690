"""The latest anchor on every report's screen, PDF and CSV, and anchor failures on the
verification page (D6)."""

from tests.audit_helpers import anchor, as_superuser, execute_raw, history
from tests.reports.reading import csv_parts, pdf_text


def latest(checkpoint: dict) -> str:
    return f"event {checkpoint['seq']} at {checkpoint['time']}, key {checkpoint['key']}"


def test_reports_say_when_nothing_is_anchored_yet(client, users, login):
    login(users["inspector"])
    assert "not anchored yet" in client.get("/reports/audit").get_data(as_text=True)
    preamble, _rows = csv_parts(client.get("/audit/export.csv").get_data(as_text=True))
    assert preamble[5] == ["latest audit anchor", "not anchored yet"]


def test_the_latest_anchor_is_on_the_audit_report_its_pdf_and_every_csv(client, users, login,
                                                                        runner, keys):
    anchor(runner)
    checkpoint = anchor(runner)
    login(users["inspector"])
    assert latest(checkpoint) in client.get("/reports/audit").get_data(as_text=True)
    printed = "".join(pdf_text(client, "/reports/audit.pdf").split())
    assert latest(checkpoint).replace(" ", "") in printed  # a long key wraps across lines
    for url in ("/audit/export.csv", "/reports/stock.csv"):
        preamble, _rows = csv_parts(client.get(url).get_data(as_text=True))
        assert preamble[5] == ["latest audit anchor", latest(checkpoint)]
    for page in ("/audit/", "/audit/verify"):
        assert latest(checkpoint) in client.get(page).get_data(as_text=True)


def test_the_verification_page_names_a_failed_anchor(client, users, login, runner, keys):
    history(users)
    checkpoint = anchor(runner)
    login(users["inspector"])
    with as_superuser():
        execute_raw("DELETE FROM audit_events WHERE seq >= :seq", seq=checkpoint["seq"])
        body = client.post("/audit/verify", follow_redirects=True).get_data(as_text=True)
    assert f"removed (anchor of {checkpoint['time']}, seq {checkpoint['seq']})" in body
    assert "every hash and link intact" not in body
