"""Verifying the audit trail's hash chain, fast: raw rows, hashed as the databases store them,
and on a long chain several stretches of it checked at once in separate processes."""

import hashlib
import json
import multiprocessing
import os
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain

import orjson
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from compliance.clock import utcnow
from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services import alerts, audit_anchor_check, raw_rows
from compliance.services.audit import GENESIS, HASHED_FIELDS, current_actor, hash_raw, head
from compliance.services.unit_of_work import record_alone

PG_TIME = "to_char(occurred_at, 'YYYY-MM-DD HH24:MI:SS.US')"
# Below this many events per process, starting another process costs more than it saves.
MIN_PER_PROCESS = 100_000


@dataclass(frozen=True)
class Verification:
    """The outcome of re-computing the chain and checking it against every anchor: `ok` only
    if both hold."""

    ok: bool
    count: int
    head: str
    broken_seq: int | None = None
    problem: str | None = None
    anchors: int = 0
    anchor_problems: tuple[str, ...] = ()
    anchor_warning: str | None = None

    def lines(self) -> list[str]:
        """The chain's line, then the anchors' (each problem on a line of its own)."""
        chain = (f"OK, {self.count} events, head {self.head}" if self.problem is None
                 else f"BROKEN at event {self.broken_seq}: {self.problem}")
        if self.anchor_problems:
            return [chain, *self.anchor_problems]
        return [chain, self.anchor_warning or f"OK, {self.anchors} anchors checked"]

    def summary(self) -> str:
        return "; ".join(self.lines())


@dataclass(frozen=True)
class Stretch:
    """Events first..last checked on their own: the link its first event claims, the hash
    of its last, and the first problem inside it."""

    first: int
    first_link: str | None
    last_hash: str | None
    count: int
    broken_seq: int | None = None
    problem: str | None = None


def _row_batches(connection, first: int, last: int):
    """Lists of rows (seq, hash, hashed fields...) of events first..last, oldest first, raw."""
    postgres = connection.dialect.name == "postgresql"
    columns = [PG_TIME if name == "occurred_at" and postgres else name for name in HASHED_FIELDS]
    return raw_rows.batches_in_ranges(connection, f"SELECT seq, hash, {', '.join(columns)} "
                                      f"FROM audit_events WHERE seq BETWEEN %s AND %s "
                                      f"ORDER BY seq", first, last)


def check_stretch(connection, first: int, last: int) -> Stretch:
    with closing(_row_batches(connection, first, last)) as batches:
        stretch, wrong_link = _walk(chain.from_iterable(batches), first, last)
    if wrong_link is None:
        return stretch
    # Named only now: the query needs the connection, which the rows held until closed.
    return replace(stretch, problem=_reordered_or_missing(connection, stretch.broken_seq,
                                                          wrong_link))


def _walk(rows, first: int, last: int) -> tuple[Stretch, str | None]:
    """The stretch the rows make, and the link of an event that does not follow the one
    before it (if that is its problem)."""
    expected, link, prev = first, None, None
    dumps, sha256 = orjson.dumps, hashlib.sha256  # `audit.hash_raw`, inlined: once per event
    for row in rows:
        seq, stored, fields = row[0], row[1], row[2:]
        if seq != expected:
            return Stretch(first, link, prev, expected - first, expected,
                           f"event {expected} is missing (the next event is {seq})"), None
        try:
            digest = sha256(dumps(fields)).hexdigest()
        except orjson.JSONEncodeError:
            digest = hash_raw(list(fields))
        if digest != stored:
            return Stretch(first, link, prev, expected - first, seq,
                           f"event {seq} was changed: its content does not match its hash"), None
        if prev is None:
            link = fields[-1]
        elif fields[-1] != prev:
            return Stretch(first, link, prev, expected - first, seq), fields[-1]
        prev, expected = stored, expected + 1
    return _ended(first, last, expected, link, prev), None


def _ended(first: int, last: int, expected: int, link: str | None, prev: str | None) -> Stretch:
    """The stretch whose rows ran out before `expected`."""
    if expected > last:
        return Stretch(first, link, prev, expected - first)
    return Stretch(first, link, prev, expected - first, expected,
                   f"event {expected} is missing" if last == expected
                   else f"events {expected} to {last} are missing")


def _reordered_or_missing(connection, seq: int, prev_hash: str) -> str:
    moved = connection.scalar(select(AuditEvent.seq).where(AuditEvent.hash == prev_hash))
    if moved is not None:
        return f"events were reordered: event {seq} should come straight after event {moved}"
    return f"event {seq} does not follow event {seq - 1}"


def _check_in_own_process(job: tuple[str, int, int]) -> Stretch:
    url, first, last = job
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return check_stretch(connection, first, last)
    finally:
        engine.dispose()


def _stretches(last_seq: int, processes: int) -> list[Stretch]:
    processes = max(1, min(processes, last_seq // MIN_PER_PROCESS))
    if processes == 1:
        return [check_stretch(db.session.connection(), 1, last_seq)]
    size = -(-last_seq // processes)
    url = db.engine.url.render_as_string(hide_password=False)
    jobs = [(url, first, min(first + size - 1, last_seq)) for first in range(1, last_seq + 1, size)]
    # Fork: the children need no imports; each opens its own connection and never touches
    # the parent's.
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(_check_in_own_process, jobs)


def verify(processes: int = 1, of_a_copy: bool = False) -> Verification:
    """Re-compute every hash and link, name the first event that breaks the chain, and check
    the chain against every anchor (of a copy: every anchor within it)."""
    last_seq = db.session.scalar(select(func.max(AuditEvent.seq))) or 0
    chain = _verify_chain(last_seq, processes)
    anchors = audit_anchor_check.check(last_seq, of_a_copy)
    return replace(chain, ok=chain.ok and not anchors.problems, anchors=anchors.checked,
                   anchor_problems=anchors.problems, anchor_warning=anchors.warning)


def _verify_chain(last_seq: int, processes: int) -> Verification:
    prev, count = GENESIS, 0
    for stretch in _stretches(last_seq, processes):
        if stretch.first_link is not None and stretch.first_link != prev:
            seq = stretch.first
            return Verification(False, count, prev, seq, _reordered_or_missing(
                db.session.connection(), seq, stretch.first_link))
        if stretch.problem:
            return Verification(False, count + stretch.count,
                                stretch.last_hash or prev, stretch.broken_seq, stretch.problem)
        prev, count = stretch.last_hash or prev, count + stretch.count
    return Verification(True, count, prev)


VERIFY = "verify"


def verify_and_record(processes: int = 1) -> Verification:
    """Verify, and append the outcome to the trail: who checked it, when, and what they found
    (pages that only show the state read this instead of re-reading every event)."""
    result = verify(processes)
    record_alone(None, VERIFY, detail=result.summary(), changes={
        "ok": result.ok, "count": result.count, "head": result.head,
        "broken_seq": result.broken_seq, "problem": result.problem,
        "anchors": result.anchors, "anchor_problems": list(result.anchor_problems),
        "anchor_warning": result.anchor_warning})
    if not result.ok:
        alerts.verification_failed(result.summary())
    return result


@dataclass(frozen=True)
class RecordedVerification:
    verification: Verification
    at: datetime
    by: str
    events_since: int  # events it did not cover (appended while or after it ran)


def verified_now() -> RecordedVerification:
    """Verify the chain for a printed report, recording nothing: reading a report changes
    nothing (a recorded verification is a POST of its own)."""
    return RecordedVerification(verify(), utcnow(), current_actor().name, 0)


def last_recorded() -> RecordedVerification | None:
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == VERIFY)
                               .order_by(AuditEvent.seq.desc()).limit(1)).first()
    if event is None:
        return None
    found = json.loads(event.changes)
    verification = Verification(found["ok"], found["count"], found["head"],
                                found["broken_seq"], found["problem"],
                                found.get("anchors", 0), tuple(found.get("anchor_problems", ())),
                                found.get("anchor_warning"))
    head_seq, _ = head()
    return RecordedVerification(verification, event.occurred_at, event.actor_name,
                                head_seq - found["count"] - 1)  # not counting itself


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
