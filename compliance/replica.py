"""Reports on a replica: with REPORTS_DATABASE_URL set, a report's reads (its rows, totals,
charts, exports and the audit head it names) go to a PostgreSQL streaming replica while the
replica answers and is at most REPORTS_MAX_LAG_SECONDS behind; otherwise to the primary. The
page says which, and how far behind, or why not.

Only the report's own snapshot moves: the signed-in user is loaded and checked on the primary
before it, with the user's scope and the filters, so the replica needs no sign-in of its own;
the export's audit event is written on the primary before it; and every write afterwards still
goes to the primary (compliance/dbsession.py).

How far behind is asked of the replica, as the first statement of the report's own snapshot,
so it describes what the report reads. A replica that has replayed all the WAL it received,
while streaming from the primary, lacks nothing: it is 0 s behind, also when the primary has
written nothing for an hour (the time of the last replayed commit is then an hour old, which is
why that time alone is no measure). While WAL waits to be replayed, the replica is at most as
old as the newest commit it has replayed: `now - pg_last_xact_replay_timestamp()`, an upper
bound (it overstates while a long transaction streams WAL without committing: a bulk load).
A replica that is not streaming (a lost connection, a primary that removed the WAL it needs)
cannot know what it lacks, so it is not used; nor is a server that is no replica at all
(promoted, or the wrong URL), which no longer follows the primary.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, current_app
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from compliance.database import read_snapshot
from compliance.dbsession import read_from, stop_reading_replica, unwrapped
from compliance.extensions import db
from compliance.security import acting_user

REPORTS_BIND = "reports"
T = TypeVar("T")
CONNECT_TIMEOUT_SECONDS = 3
# A replica that did not answer is not asked again for this long: a host that drops packets
# makes every attempt wait out the connect timeout, which reports should not pay each time.
RETRY_AFTER_SECONDS = 5.0

# Unprivileged roles see no status (it is NULL): a receiver's row then says it is connected.
STANDING = text(
    "SELECT pg_is_in_recovery(), EXISTS (SELECT FROM pg_stat_wal_receiver "
    "WHERE coalesce(status, 'streaming') = 'streaming'), "
    "pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn(), "
    "extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())")


@dataclass(frozen=True)
class Standing:
    """What the replica says of itself."""

    in_recovery: bool  # a standby, following a primary
    receiving: bool  # its WAL receiver is streaming from the primary
    caught_up: bool  # it has replayed all the WAL it received
    replay_age: float | None  # seconds since the newest commit it replayed was made


@dataclass(frozen=True)
class Source:
    """Where a report was read from, how far behind, or why not the replica."""

    replica: bool
    lag: float | None = None
    reason: str = ""

    @property
    def words(self) -> str:
        """The page's line about it."""
        if self.replica:
            return f"Reports read from the replica, {self.lag:.1f} s behind."
        return f"Reports read from the primary database: {self.reason}."


def lag_seconds(standing: Standing) -> float | None:
    """How far behind the primary the replica's data is (see the module's note); None when
    it cannot be known."""
    if not (standing.in_recovery and standing.receiving):
        return None
    if standing.caught_up:
        return 0.0
    return None if standing.replay_age is None else max(0.0, standing.replay_age)


def choose(standing: Standing | None, max_lag: float) -> Source:
    """The replica when it answered (`standing` is not None), follows the primary and is at
    most `max_lag` seconds behind; else the primary, with the reason."""
    if standing is None:
        return Source(False, reason="the replica cannot be reached")
    if not standing.in_recovery:
        return Source(False, reason="the reports database is not a replica in recovery")
    if not standing.receiving:
        return Source(False, reason="the replica is not receiving from the primary")
    lag = lag_seconds(standing)
    if lag is None:
        return Source(False, reason="how far behind the replica is is not known yet")
    if lag > max_lag:
        return Source(False, lag, f"the replica is {lag:.1f} s behind, more than the "
                                  f"{max_lag:g} s allowed")
    return Source(True, lag)


def configure(app: Flask) -> None:
    """Give Flask-SQLAlchemy the replica's engine, as a bind no model names (only a report's
    session is sent there), when REPORTS_DATABASE_URL is set. Before `db.init_app`."""
    url = app.config.get("REPORTS_DATABASE_URL")
    if not url:
        return
    options = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "url": url,
               "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}
    app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}),
                                      REPORTS_BIND: options}


def read_report(session, snapshot: bool = True) -> Source | None:
    """Start the report's reads: on the replica when one is set, it answers and is close
    enough behind, else on the primary, in one snapshot (`read_snapshot`) unless `snapshot`
    is False (a replica's reads always are one). Where it was read from, or None when no
    replica is set."""
    engine = db.engines.get(REPORTS_BIND)
    source = None if engine is None else _on_replica(
        session, engine, current_app.config["REPORTS_MAX_LAG_SECONDS"])
    if snapshot and not (source and source.replica):
        read_snapshot(session)
    return source


def _reader_from_primary(session) -> None:
    """The signed-in user as the primary has them, before the reads move: an export's audit
    event, committed just before, expired them, and the replica may not have them yet."""
    user = acting_user()
    if user is not None and inspect(user).expired_attributes:
        unwrapped(session).refresh(user)


def read_report_with(session, build: Callable[[], T]) -> tuple[Source | None, T]:
    """`build()`, reading as `read_report` chose; when the replica fails during it (stopped,
    restarted, its connection cut), `build()` again on the primary: the reader waits for a
    second read rather than getting an error page."""
    source = read_report(session)
    if source is None or not source.replica:
        return source, build()
    try:
        return source, build()
    except DBAPIError:
        _down(db.engines[REPORTS_BIND])
        stop_reading_replica(session)
        read_snapshot(session)
        return Source(False, reason="the replica stopped answering during the report"), build()


def _down_until() -> dict:
    """{replica engine's URL: when to ask it again}, kept with the application."""
    return current_app.extensions.setdefault("reports_replica_down_until", {})


def _down(engine) -> None:
    _down_until()[engine.url] = time.monotonic() + RETRY_AFTER_SECONDS


def _on_replica(session, engine, max_lag: float) -> Source:
    if time.monotonic() < _down_until().get(engine.url, 0.0):
        return choose(None, max_lag)
    _reader_from_primary(session)
    read_from(session, engine)
    try:
        source = choose(_standing(unwrapped(session)), max_lag)
    except DBAPIError:
        _down(engine)
        source = choose(None, max_lag)
    if not source.replica:
        stop_reading_replica(session)
    return source


def _standing(session) -> Standing:
    # The report's snapshot, begun by this statement: the lag is that of what it reads.
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    in_recovery, receiving, caught_up, age = session.execute(STANDING).one()
    return Standing(bool(in_recovery), bool(receiving), bool(caught_up),
                    None if age is None else float(age))
