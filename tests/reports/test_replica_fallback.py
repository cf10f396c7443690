"""Reports with a replica set that cannot serve them read from the primary and say so; without
one set, nothing is said. Needs no replica: the one named listens nowhere (port 1)."""

import pytest
from sqlalchemy import event, select

from compliance import replica
from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.replica import REPORTS_BIND
from tests.dbutil import POSTGRES_URL, USING_POSTGRES
from tests.factories import make_product, receive_batch
from tests.reports.reading import csv_rows, screen

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
DOWN = "Reports read from the primary database: the replica cannot be reached."
STOPPED = "Reports read from the primary database: the replica stopped answering during the report."


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": False, "REPORTS_DATABASE_URL": NOWHERE}


@pytest.fixture
def batch(users):
    return receive_batch(users["manager"], make_product("1"), batch_number="PRIMARY1")


def exports(manager) -> int:
    return len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.actor_id == manager.id)).all())


def test_reports_read_from_the_primary_and_say_so_when_the_replica_cannot_be_reached(
        client, login, users, batch, unrendered_pdfs):
    login(users["manager"])
    page = screen(client, "/reports/stock")
    assert DOWN in page and "PRIMARY1" in page
    assert DOWN in screen(client, "/reports/")
    assert [row["batch"] for row in csv_rows(client, "/reports/stock.csv")] == ["PRIMARY1"]
    assert DOWN in client.get("/reports/stock.pdf").get_data(as_text=True)
    # The exports' audit events were written (on the primary) all the same.
    assert exports(users["manager"]) == 2


def test_a_replica_that_did_not_answer_is_not_asked_again_at_once(app, client, login, users):
    login(users["manager"])
    tries = []

    def connecting(*_args):
        tries.append(1)

    engine = db.engines[REPORTS_BIND]
    app.extensions.pop("reports_replica_down_until", None)
    event.listen(engine, "do_connect", connecting)
    try:
        for _ in range(3):
            assert DOWN in screen(client, "/reports/expiry")
    finally:
        event.remove(engine, "do_connect", connecting)
    assert len(tries) == 1


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": False}])
def test_without_a_replica_set_no_page_says_where_it_was_read_from(client, login, users, batch):
    login(users["manager"])
    for url in ("/reports/", "/reports/stock"):
        assert "Reports read from" not in screen(client, url)


@pytest.mark.skipif(not USING_POSTGRES, reason="names the PostgreSQL primary as the replica")
@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": False,
                                            "REPORTS_DATABASE_URL": POSTGRES_URL}])
def test_a_reports_database_that_is_no_replica_is_not_used(client, login, users, batch):
    # A promoted replica, or the primary's own URL by mistake: it follows no primary.
    login(users["manager"])
    page = screen(client, "/reports/stock")
    assert ("Reports read from the primary database: the reports database is not a replica "
            "in recovery.") in page and "PRIMARY1" in page


def test_a_replica_that_stops_during_a_report_is_replaced_by_the_primary(
        app, client, login, users, batch, monkeypatch, unrendered_pdfs):
    # It answered as a healthy replica, then every read of the report fails (port 1).
    monkeypatch.setattr(replica, "_standing",
                        lambda _session: replica.Standing(True, True, True, 0.0))
    login(users["manager"])
    for url in ("/reports/stock", "/reports/stock.pdf"):
        app.extensions.pop("reports_replica_down_until", None)
        page = client.get(url).get_data(as_text=True)
        assert STOPPED in page and "PRIMARY1" in page
