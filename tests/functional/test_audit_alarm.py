"""The red banner of a failed audit check (D6, D8): on every manager and inspector page until
a later check passes; never for prescribers."""

import re

import pytest

from compliance.services import audit_replay, audit_verify
from tests.audit_helpers import append_only_lifted, execute_raw

ALARM = re.compile(r'<div class="alarm" role="alert">(.*?)</div>', re.S)
PAGES = {"manager": "/stock/", "inspector": "/patients/", "nurse": "/treatment/today",
         "doctor": "/patients/"}


def alarm_seen_by(client, login, user, path: str) -> str | None:
    login(user)
    response = client.get(path)
    assert response.status_code == 200
    client.post("/logout")
    found = ALARM.search(response.get_data(as_text=True))
    return found.group(1) if found else None


def test_a_failed_replay_alarms_managers_and_inspectors_until_a_replay_passes(
        client, users, login, clinic):
    batch = clinic["batch"]
    execute_raw("UPDATE batches SET supplier = 'Somebody else' WHERE id = :id", id=batch.id)
    assert not audit_replay.replay_and_record().ok
    for kind in ("manager", "inspector"):
        alarm = alarm_seen_by(client, login, users[kind], PAGES[kind])
        assert "Replay of the tables against the trail failed" in alarm
        assert "1 difference(s)" in alarm and 'href="/audit/verify"' in alarm
    for kind in ("nurse", "doctor"):
        assert alarm_seen_by(client, login, users[kind], PAGES[kind]) is None
    execute_raw("UPDATE batches SET supplier = 'Medi Supplies' WHERE id = :id", id=batch.id)
    assert audit_replay.replay_and_record().ok
    assert alarm_seen_by(client, login, users["manager"], PAGES["manager"]) is None


def test_a_failed_verification_alarms_until_one_passes(client, users, login):
    with append_only_lifted("audit_events"):
        execute_raw("UPDATE audit_events SET detail = 'rewritten' WHERE seq = 2")
        assert not audit_verify.verify_and_record().ok
        execute_raw("UPDATE audit_events SET detail = NULL WHERE seq = 2")
    alarm = alarm_seen_by(client, login, users["inspector"], "/audit/")
    assert "Audit trail verification failed" in alarm and "BROKEN at event 2" in alarm
    assert audit_verify.verify_and_record().ok
    assert alarm_seen_by(client, login, users["inspector"], "/audit/") is None


@pytest.mark.parametrize("kind", ["manager", "inspector"])
def test_no_alarm_before_any_check_or_after_passing_ones(client, users, login, kind):
    assert alarm_seen_by(client, login, users[kind], PAGES[kind]) is None
    audit_verify.verify_and_record()
    audit_replay.replay_and_record()
    assert alarm_seen_by(client, login, users[kind], PAGES[kind]) is None


def test_the_dashboard_and_verification_page_show_the_last_replay(client, users, login, clinic):
    login(users["manager"])
    assert "not replayed yet" in client.get("/reports/").get_data(as_text=True)
    execute_raw("UPDATE batches SET supplier = 'Somebody else' WHERE id = :id",
                id=clinic["batch"].id)
    audit_replay.replay_and_record()
    for path in ("/reports/", "/audit/verify"):
        body = client.get(path).get_data(as_text=True)
        assert "1 difference(s)" in body
        assert (f"batches {clinic['batch'].id} supplier: table Somebody else, "
                f"audited Medi Supplies") in body
