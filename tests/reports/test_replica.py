"""Reports on a real streaming replica (scripts/replica.sh): read from it, showing only what it
has replayed; passed over for the primary when too far behind or stopped. PostgreSQL only, with
TEST_REPLICA_URL naming the replica's server (its database is DATABASE_URL's, which the replica
has as it copies the whole cluster): `scripts/replica.sh start`, then e.g.
TEST_REPLICA_URL=postgresql+psycopg://postgres@127.0.0.1:5433. The replica is paused, stopped
and started by these tests; it is running and replaying when they end."""

import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from compliance import replica
from tests.dbutil import POSTGRES_URL, USING_POSTGRES
from tests.factories import make_product, make_user, receive_batch
from tests.reports.reading import csv_rows, screen

REPLICA = os.environ.get("TEST_REPLICA_URL", "")
pytestmark = pytest.mark.skipif(
    not (USING_POSTGRES and REPLICA),
    reason="reports on a replica: needs DATABASE_URL on PostgreSQL and TEST_REPLICA_URL naming "
           "a streaming replica of it (scripts/replica.sh start; "
           "TEST_REPLICA_URL=postgresql+psycopg://postgres@127.0.0.1:5433)")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "replica.sh"
ON_REPLICA = "Reports read from the replica, "
DOWN = "Reports read from the primary database: the replica cannot be reached."


def replica_url() -> str:
    url = make_url(REPLICA).set(database=make_url(POSTGRES_URL).database)
    return url.render_as_string(hide_password=False)


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": False, "REPORTS_DATABASE_URL": replica_url()}


@pytest.fixture
def product(users):
    return make_product("1")


def _wait_on_replica(position: str) -> None:
    """Until the replica's `position` (received, replayed) reaches what the primary has
    written by now (its commits are not flushed at once here: synchronous_commit is off)."""
    with psycopg.connect(libpq(POSTGRES_URL), autocommit=True) as primary:
        lsn = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
    with psycopg.connect(libpq(replica_url()), autocommit=True) as standby:
        for _ in range(600):
            if standby.execute(f"SELECT {position} >= %s::pg_lsn", (lsn,)).fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail(f"the replica's {position} did not reach {lsn} in 30 s")


def replayed() -> None:
    _wait_on_replica("pg_last_wal_replay_lsn()")


def received() -> None:
    _wait_on_replica("pg_last_wal_receive_lsn()")


@contextmanager
def replay_paused():
    """The replica receives the primary's WAL but applies none of it: it falls behind."""
    with psycopg.connect(libpq(replica_url()), autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")


def replica_script(command: str) -> None:
    env = dict(os.environ, REPLICA_PORT=str(make_url(REPLICA).port or 5433))
    subprocess.run([str(SCRIPT), command], check=True, env=env, capture_output=True)


def batches(client) -> list[str]:
    return [row["batch"] for row in csv_rows(client, "/reports/stock.csv")]


def test_a_report_reads_the_replica_which_shows_only_what_it_has_replayed(
        client, login, users, product):
    receive_batch(users["manager"], product, batch_number="SEEN1")
    replayed()
    login(users["manager"])
    page = screen(client, "/reports/stock")
    assert ON_REPLICA in page and "SEEN1" in page
    assert ON_REPLICA in screen(client, "/reports/")
    with replay_paused():
        receive_batch(users["manager"], product, batch_number="UNSEEN2")
        received()
        page = screen(client, "/reports/stock")
        assert ON_REPLICA in page and "SEEN1" in page and "UNSEEN2" not in page
        assert batches(client) == ["SEEN1"]
    replayed()
    assert "UNSEEN2" in screen(client, "/reports/stock")
    assert batches(client) == ["SEEN1", "UNSEEN2"]


def test_the_reader_is_loaded_from_the_primary_though_the_replica_has_not_seen_them(
        client, login, product, unrendered_pdfs):
    with replay_paused():
        newcomer = make_user("manager", full_name="Newly Appointed Manager")
        received()
        login(newcomer)  # the sign-in and its audit event: on the primary
        page = screen(client, "/reports/stock")
        assert ON_REPLICA in page and "Newly Appointed Manager" in page
        # An export first writes its audit event (on the primary), then reads the replica.
        printed = client.get("/reports/stock.pdf").get_data(as_text=True)
        assert ON_REPLICA in printed and "Newly Appointed Manager" in printed
        exported = client.get("/reports/stock.csv").get_data(as_text=True)
        assert "generated by,Newly Appointed Manager" in exported


def test_a_replica_further_behind_than_the_setting_is_passed_over_for_the_primary(
        app, client, login, users, product):
    login(users["manager"])
    app.config["REPORTS_MAX_LAG_SECONDS"] = 0.5
    with replay_paused():
        receive_batch(users["manager"], product, batch_number="LATE1")
        received()
        time.sleep(0.6)  # the newest commit replayed is older than that now
        page = screen(client, "/reports/stock")
    assert "Reports read from the primary database: the replica is " in page
    assert "s behind, more than the 0.5 s allowed." in page and "LATE1" in page


def test_reports_fall_back_to_the_primary_while_the_replica_is_stopped(
        monkeypatch, client, login, users, product):
    monkeypatch.setattr(replica, "RETRY_AFTER_SECONDS", 0.0)
    receive_batch(users["manager"], product, batch_number="BOTH1")
    replayed()
    login(users["manager"])
    assert ON_REPLICA in screen(client, "/reports/stock")
    replica_script("stop")
    try:
        page = screen(client, "/reports/stock")
        assert DOWN in page and "BOTH1" in page
        assert batches(client) == ["BOTH1"]
    finally:
        replica_script("start")
    assert ON_REPLICA in screen(client, "/reports/stock")
