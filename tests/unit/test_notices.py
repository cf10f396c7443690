"""Notices (D8): the managers' daily mail and the immediate ones, read back from a real SMTP
server."""

import logging
from datetime import timedelta

import pytest

from compliance.clock import local_today
from compliance.errors import StockRefusal
from compliance.extensions import db
from compliance.models import Batch
from compliance.services import audit_verify, mail, notices, stock
from tests.audit_helpers import append_only_lifted, changes, events, execute_raw
from tests.factories import make_session, make_user, receive_batch
from tests.location_helpers import second_location, working_at
from tests.mail_helpers import Inbox, body_of, free_port, serving

SECTIONS = ("Batches near expiry (within 30 days) or expired, holding stock",
            "Low stock at each location (at or below the product's reorder level)",
            "Recalled batches still holding stock",
            "Sessions unsigned after 24 hours",
            "Follow-ups due (signed sessions of the last 14 days with no follow-up recorded)",
            "Exceptions since",
            "Last verification of the audit trail")


@pytest.fixture
def inbox(app):
    """A real SMTP server for the test, which the application sends to."""
    received = Inbox()
    controller = serving(app, received)
    try:
        yield received
    finally:
        controller.stop()


def section(body: str, title: str) -> list[str]:
    """The lines under a section's title and its underline, up to the next blank line."""
    start = body.index(title)
    block = body[start:].split("\n\n", 1)[0].splitlines()
    return [line.removeprefix("- ") for line in block[2:]]


def test_the_daily_notice_reaches_every_active_manager_with_every_section(
        runner, users, inbox):
    make_user("manager", active=False, email="gone@test.clinic")
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 0, result.output
    [(envelope, message)] = inbox.received
    assert envelope == [users["manager"].email]
    assert message["To"] == users["manager"].email
    assert message["From"] == "notices@clinic.test"
    assert message["Subject"] == (f"Demo Vein Clinic: 0 item(s) for managers, "
                                  f"{local_today():%d %b %Y}")
    body = body_of(message)
    assert [section(body, title) for title in SECTIONS] == [["none"]] * len(SECTIONS)
    [sent] = events(action="notice")
    assert changes(sent) == {"kind": "daily", "subject": message["Subject"],
                             "recipients": [users["manager"].email]}


def test_the_daily_notice_lists_what_needs_the_managers(runner, clinic, inbox):
    manager, product = clinic["manager"], clinic["product"]
    receive_batch(manager, product, containers=2, batch_number="SOON", expires_in_days=10)
    product.reorder_level_containers = 100
    db.session.commit()
    session = make_session(clinic["prescription"], clinic["nurse"],
                           local_today() - timedelta(days=3))
    audit_verify.verify_and_record()
    notice = notices.daily()
    body = notice.body
    assert section(body, SECTIONS[0]) == [
        f"{product.name} batch SOON: expiring soon, "
        f"{local_today() + timedelta(days=10):%d %b %Y}; 4 ml in 2 sealed"]
    assert section(body, SECTIONS[1]) == [
        f"{product.name} at Main clinic: 62 sealed in usable batches, reorder level 100"]
    assert section(body, SECTIONS[4]) == [
        f"session {session.id} of {session.session_date:%d %b %Y} by "
        f"{clinic['nurse'].full_name}"]
    [verified] = section(body, SECTIONS[6])
    assert verified.startswith("OK, ") and "0 event(s) since" in verified
    assert clinic["patient"].last_name not in body
    runner.invoke(args=["notices", "send"])
    [message] = inbox.messages
    assert message["Subject"] == notice.subject and body_of(message) == body


def test_the_recipients_setting_overrides_the_managers(app, runner, users, inbox):
    app.config["NOTICE_RECIPIENTS"] = "owner@clinic.test, deputy@clinic.test"
    assert runner.invoke(args=["notices", "send"]).exit_code == 0
    [(envelope, message)] = inbox.received
    assert envelope == ["owner@clinic.test", "deputy@clinic.test"]
    assert message["To"] == "owner@clinic.test, deputy@clinic.test"


def test_notices_send_says_in_one_line_that_no_mail_server_is_set(app, runner, users):
    app.config["MAIL_HOST"] = ""
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 1
    assert result.output == "Error: MAIL_HOST is not set: no mail can be sent.\n"
    assert events(action="notice") == []


def test_a_recall_mails_the_managers_once_it_has_committed(clinic, inbox):
    batch = clinic["batch"]
    stock.change_state(clinic["manager"], batch.id, "recall", "supplier's field safety notice")
    [(envelope, message)] = inbox.received
    assert envelope == [clinic["manager"].email]
    assert message["Subject"] == "Demo Vein Clinic: batch A1 recalled"
    body = body_of(message)
    assert "was recalled by Manager" in body and "Reason: supplier's field safety notice" in body
    assert "It still holds 60 ml in 30 sealed containers" in body
    assert "Patients who received it: none" in body
    assert changes(events(action="notice")[-1])["kind"] == "recall"
    # Where the stock is held (D7): each location's part of the batch.
    assert section(notices.daily().body, SECTIONS[2]) == [
        f"{batch} at Main clinic: 60 ml in 30 sealed, to return or dispose of"]


def test_a_refused_recall_mails_no_one(clinic, inbox):
    stock.change_state(clinic["manager"], clinic["batch"].id, "recall", "field safety notice")
    with pytest.raises(StockRefusal):
        stock.change_state(clinic["manager"], clinic["batch"].id, "recall", "again")
    assert len(inbox.received) == 1


def test_a_mail_failure_neither_breaks_nor_undoes_the_recall(app, clinic, caplog):
    # Nothing listens on a port just found free: the connection is refused.
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=free_port(), MAIL_STARTTLS=False)
    with caplog.at_level(logging.ERROR, logger="compliance.services.mail"):
        stock.change_state(clinic["manager"], clinic["batch"].id, "recall", "field notice")
    db.session.expire_all()
    assert db.session.get(Batch, clinic["batch"].id).state == "recalled"
    assert "recall notice not sent" in caplog.text
    assert events(action="notice") == []


def test_a_failed_verification_mails_the_managers_at_once(runner, users, inbox):
    with append_only_lifted("audit_events"):
        execute_raw("UPDATE audit_events SET detail = 'rewritten' WHERE seq = 1")
        result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    [(envelope, message)] = inbox.received
    assert envelope == [users["manager"].email]
    assert message["Subject"] == "Demo Vein Clinic: the audit trail failed verification"
    assert "BROKEN at event 1: event 1 was changed" in body_of(message)


def test_a_failed_replay_mails_the_managers_at_once(runner, users, inbox):
    name = users["nurse"].full_name
    execute_raw("UPDATE users SET full_name = 'Changed behind the trail' WHERE id = :id",
                id=users["nurse"].id)
    assert runner.invoke(args=["audit", "replay"]).exit_code == 1
    [(envelope, message)] = inbox.received
    assert envelope == [users["manager"].email]
    assert message["Subject"] == "Demo Vein Clinic: the tables disagree with the audit trail"
    assert "DIFFERENT: 1 difference(s)" in body_of(message)
    runner.invoke(args=["audit", "replay"])  # still failing: mailed again, as verify is
    execute_raw("UPDATE users SET full_name = :name WHERE id = :id", name=name,
                id=users["nurse"].id)
    assert runner.invoke(args=["audit", "replay"]).exit_code == 0
    assert len(inbox.received) == 2


def test_a_passing_verification_mails_no_one(runner, users, inbox):
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    assert inbox.received == []


def test_a_mail_header_that_cannot_be_written_is_one_line(app, runner, users, inbox):
    app.config["MAIL_FROM"] = "stock@clinic.test\r\nBcc: everyone@elsewhere.test"
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith("Error: The mail cannot be written: ")
    assert inbox.received == [] and events(action="notice") == []


def test_control_characters_never_reach_a_subject(app, users, inbox):
    mail.send(mail.Mail("recall", "Clinic: batch A1\r\nBcc: x@elsewhere.test\x00 recalled",
                        "body", ("manager@clinic.test",)))
    [(envelope, message)] = inbox.received
    assert envelope == ["manager@clinic.test"] and message["Bcc"] is None
    assert message["Subject"] == "Clinic: batch A1 Bcc: x@elsewhere.test recalled"
    assert changes(events(action="notice")[-1])["subject"] == message["Subject"]


def test_each_manager_gets_the_notice_of_the_locations_they_work_at(runner, clinic, inbox):
    product = clinic["product"]
    product.reorder_level_containers = 100
    other = second_location()
    db.session.commit()
    theirs = working_at("manager", other, email="riverside@test.clinic")
    receive_batch(theirs, product, containers=2, batch_number="RIVER")
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 0, result.output
    by_address = {envelope[0]: body_of(message) for envelope, message in inbox.received}
    assert set(by_address) == {clinic["manager"].email, theirs.email}
    group_lines = section(by_address[clinic["manager"].email], SECTIONS[1])
    assert [line.split(":")[0] for line in group_lines] == [
        f"{product.name} at Main clinic", f"{product.name} at Riverside"]
    assert section(by_address[theirs.email], SECTIONS[1]) == [
        f"{product.name} at Riverside: 2 sealed in usable batches, reorder level 100"]
    assert len(events(action="notice")) == 2
