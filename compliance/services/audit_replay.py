"""Replaying the audit trail against the live tables (D6): each audited row's current values
must equal the new values of its latest audit event, and each event that stores where its
record is must name where it is (audit_places.py).

On a large database the tables are shared out among processes (one per core, as the chain's
verification does), each replaying its tables' events and comparing those tables in one
transaction of its own (`replay_tables`). A replay holds the latest values of every row it
replays; where they would take more than AUDIT_REPLAY_MEMORY_MB, it goes over the trail in
passes, each replaying one slice of the records (`replay_slices`).
"""

import json
import multiprocessing
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from compliance.collector import collector_paused
from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services import alerts
from compliance.services.audit_places import misplaced
from compliance.services.audit_verify import cpu_count
from compliance.services.replay_slices import MOST, Slice, largest_share, slices
from compliance.services.replay_tables import Difference, Part, audited_tables, replay_tables
from compliance.services.unit_of_work import record_alone

REPLAY = "replay"
ON_TRAIL = 5  # differences named in the recorded outcome (all are counted)
# Below this many rows per process, starting another process costs more than it saves.
MIN_PER_PROCESS = 200_000
# What a replay holds per row it replays, near enough (measured at 10M injections, where a
# row's values are a tuple of a dozen small Python objects behind a key in a dict).
BYTES_PER_ROW = 800


@dataclass(frozen=True)
class Replay:
    events: int
    rows: int
    tables: int
    differences: tuple[Difference, ...]
    passes: int = 1
    unlisted: int = 0  # events storing a wrong place beyond those listed (audit_places.py)

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def count(self) -> int:
        return len(self.differences) + self.unlisted

    def summary(self) -> str:
        if self.ok:
            return (f"OK, {self.events} events replayed; {self.rows} rows in {self.tables} "
                    f"tables agree with them{self._in_passes()}")
        return (f"DIFFERENT: {self.count} difference(s) between the tables and "
                f"their {self.events} events{self._in_passes()}")

    def _in_passes(self) -> str:
        return f" (in {self.passes} passes)" if self.passes > 1 else ""


def _read_alone(connection, names: list[str], records: Slice) -> Part:
    if connection.dialect.name == "postgresql":
        # One snapshot for every statement of the transaction, not one per statement.
        connection.execution_options(isolation_level="REPEATABLE READ")
    # Millions of small tuples and parsed events, none in a cycle: collecting finds nothing.
    with connection.begin(), collector_paused():
        return replay_tables(connection, names, records)


def _replay_in_own_process(job: tuple[str, list[str], Slice]) -> Part:
    url, names, records = job
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return _read_alone(connection, names, records)
    finally:
        engine.dispose()


def _sizes(tables) -> dict[str, int]:
    """Each table's highest id: its size near enough, read from the primary key's index."""
    with db.engine.connect() as connection:
        return {table.name: int(connection.scalar(text(
            f"SELECT COALESCE(MAX({table.keys[0]}), 0) FROM {table.name}")) or 0)
            for table in tables}


def _shares(sizes: dict[str, int], processes: int) -> list[list[str]]:
    """The tables dealt out, largest first, each to the process with the least so far."""
    shares = [([], 0) for _ in range(processes)]
    for name in sorted(sizes, key=sizes.get, reverse=True):
        least = min(range(processes), key=lambda n: shares[n][1])
        shares[least] = (shares[least][0] + [name], shares[least][1] + sizes[name])
    return [names for names, _size in shares if names]


def passes_for(rows: int, memory_mb: int) -> int:
    """The fewest passes whose largest slice of `rows` rows fits in `memory_mb` (the most
    there are, if none does)."""
    held = rows * BYTES_PER_ROW / (max(memory_mb, 1) * 2**20)
    return next((count for count in range(1, MOST) if largest_share(count) * held <= 1), MOST)


def _parts(sizes: dict[str, int], processes: int, records: Slice) -> list[Part]:
    processes = max(1, min(processes, sum(sizes.values()) // MIN_PER_PROCESS))
    if processes == 1:
        with db.engine.connect() as connection:
            return [_read_alone(connection, list(sizes), records)]
    url = db.engine.url.render_as_string(hide_password=False)
    jobs = [(url, share, records) for share in _shares(sizes, processes)]
    # Fork: the children need no imports; each opens its own connection.
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        return pool.map(_replay_in_own_process, jobs)


def replay(processes: int | None = None, passes: int | None = None) -> Replay:
    """Replay every data event and list each live row that disagrees with the trail; on a
    large database in one process per core and in as many passes as the memory setting
    asks, unless told how many of each."""
    tables = audited_tables(db.engine.dialect).values()
    sizes = _sizes(tables)
    passes = min(MOST, passes or passes_for(sum(sizes.values()),
                                            current_app.config["AUDIT_REPLAY_MEMORY_MB"]))
    parts = [part for records in slices(passes)
             for part in _parts(sizes, processes or cpu_count(), records)]
    wrong_places, listed = misplaced()
    differences = [d for part in parts for d in part.differences] + listed
    return Replay(sum(part.events for part in parts), sum(part.rows for part in parts),
                  len(tables), _in_order(differences), passes, wrong_places - len(listed))


def _in_order(differences) -> tuple[Difference, ...]:
    """By table and record, whatever the passes and processes that found them."""
    return tuple(sorted(differences, key=lambda d: (d.table, len(d.record_id or ""),
                                                    d.record_id or "", d.column or "")))


def replay_and_record(processes: int | None = None, passes: int | None = None) -> Replay:
    """Replay, and append the outcome to the trail (the banner and dashboard read it)."""
    result = replay(processes, passes)
    record_alone(None, REPLAY, detail=result.summary(), changes={
        "ok": result.ok, "events": result.events, "rows": result.rows,
        "differences": result.count,
        "first": [asdict(difference) for difference in result.differences[:ON_TRAIL]]})
    if not result.ok:
        alerts.replay_failed(result.summary())
    return result


@dataclass(frozen=True)
class RecordedReplay:
    ok: bool
    summary: str
    events: int
    rows: int
    differences: int
    first: list[dict]
    at: datetime
    by: str


def last_recorded() -> RecordedReplay | None:
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == REPLAY)
                               .order_by(AuditEvent.seq.desc()).limit(1)).first()
    if event is None:
        return None
    found = json.loads(event.changes)
    return RecordedReplay(found["ok"], event.detail, found["events"], found["rows"],
                          found["differences"], found["first"], event.occurred_at,
                          event.actor_name)
