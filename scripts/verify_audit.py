"""Verify an STS compliance audit trail without the application: re-compute the hash chain and
check it against every anchor of an anchor log.

Usage: python scripts/verify_audit.py DATABASE_URL --anchors FILE --public-key FILE

DATABASE_URL is sqlite:///relative/path.db, sqlite:////absolute/path.db or
postgresql://user@host:port/db (postgresql+psycopg:// is accepted too). The database is only
read. Needs Python 3.11+, `cryptography`, and `psycopg` for PostgreSQL; nothing of the app.

Prints the chain's line (`OK, N events, head H` or `BROKEN at event N: ...`) and the anchors'
(`OK, N anchors checked`, a `WARNING: ...`, or a `BROKEN: ...`/`ERROR: ...` line for each
problem), as `flask audit verify` does. Exit code 0 if both hold, 1 if not, 2 on bad usage
or a database without a readable audit trail.

The rules re-computed here are the README's "Checking the audit trail by hand".
"""

import argparse
import hashlib
import json
import sqlite3
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64
HASHED_FIELDS = ("occurred_at", "actor_id", "actor_name", "action", "table_name", "record_id",
                 "changes", "reason", "rule", "detail", "prev_hash")
# occurred_at as SQLite stores it; PostgreSQL is asked for the same text.
PG_TIME = "to_char(occurred_at, 'YYYY-MM-DD HH24:MI:SS.US')"
SIGNED_FIELDS = ("seq", "head", "time", "events", "key")
LISTED_SIGNATURE_FAILURES = 5
FETCH = 20_000


class UsageError(Exception):
    pass


class Database:
    """A read-only connection to either database, with its placeholder and time column."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if not path.is_file():
                raise UsageError(f"no SQLite database at {path}")
            try:
                self.connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            except sqlite3.Error as error:
                raise UsageError(f"cannot open {path}: {error}") from None
            self.marker, self.time, self.postgres = "?", "occurred_at", False
            self.errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        elif url.startswith(("postgresql://", "postgresql+psycopg://")):
            import psycopg

            try:
                self.connection = psycopg.connect(url.replace("+psycopg", "", 1))
            except psycopg.Error as error:
                raise UsageError(f"cannot connect: {error}".splitlines()[0]) from None
            self.connection.read_only = True
            self.marker, self.time, self.postgres = "%s", PG_TIME, True
            self.errors = (psycopg.Error,)
        else:
            raise UsageError("the database URL must start with sqlite:/// or postgresql://")

    def scalar(self, sql: str, params=()):
        row = self.connection.execute(sql.replace("?", self.marker), params).fetchone()
        return row[0] if row else None

    def events(self):
        """(seq, hash, hashed fields...) of every event, oldest first, streamed."""
        columns = [self.time if name == "occurred_at" else name for name in HASHED_FIELDS]
        sql = f"SELECT seq, hash, {', '.join(columns)} FROM audit_events ORDER BY seq"
        cursor = (self.connection.cursor(name="audit_events") if self.postgres
                  else self.connection.cursor())
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH):
            yield from rows
        cursor.close()

    def recorded_anchors(self) -> list[dict]:
        """The checkpoints the trail records itself (`flask audit anchor`), oldest first."""
        found = []
        for (changes,) in self.connection.execute(
                "SELECT changes FROM audit_events WHERE action = 'anchor' ORDER BY seq"):
            try:
                checkpoint = json.loads(changes or "{}")
            except ValueError:
                checkpoint = {}
            found.append(checkpoint if isinstance(checkpoint, dict) else {})
        return found

    def hashes_at(self, seqs: list[int]) -> dict[int, str]:
        found = {}
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            marks = ", ".join([self.marker] * len(chunk))
            found.update(self.connection.execute(
                f"SELECT seq, hash FROM audit_events WHERE seq IN ({marks})", chunk).fetchall())
        return found


def event_hash(fields) -> str:
    """SHA-256 of the fields as a JSON list: no spaces, non-ASCII kept, UTF-8."""
    text = json.dumps(list(fields), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _not_following(db: Database, seq: int, link: str) -> str:
    moved = db.scalar("SELECT seq FROM audit_events WHERE hash = ?", (link,))
    if moved is not None:
        return f"events were reordered: event {seq} should come straight after event {moved}"
    return f"event {seq} does not follow event {seq - 1}"


def check_chain(db: Database) -> tuple[bool, str]:
    """Whether the chain holds, and its line."""
    expected, prev = 1, GENESIS
    for seq, stored, *fields in db.events():
        if seq != expected:
            problem = f"event {expected} is missing (the next event is {seq})"
            return False, f"BROKEN at event {expected}: {problem}"
        if event_hash(fields) != stored:
            return False, (f"BROKEN at event {seq}: event {seq} was changed: "
                           "its content does not match its hash")
        if fields[-1] != prev:
            return False, f"BROKEN at event {seq}: {_not_following(db, seq, fields[-1])}"
        prev, expected = stored, expected + 1
    return True, f"OK, {expected - 1} events, head {prev}"


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def signed_bytes(line: dict) -> bytes:
    """The canonical JSON of the anchor without its signature: sorted keys, no spaces."""
    return json.dumps({name: line[name] for name in SIGNED_FIELDS}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode()


def _well_formed(line) -> bool:
    return (isinstance(line, dict) and type(line.get("seq")) is int
            and type(line.get("events")) is int
            and all(isinstance(line.get(name), str) for name in ("head", "time", "key",
                                                                 "signature")))


def signed_anchor(text: str, key: Ed25519PublicKey) -> dict | None:
    """The anchor on this line if it is one and its signature holds, else None."""
    try:
        line = json.loads(text)
        if not _well_formed(line) or line["key"] != fingerprint(key):
            return None
        key.verify(bytes.fromhex(line["signature"]), signed_bytes(line))
    except (ValueError, InvalidSignature):
        return None
    return line


def read_anchors(log: Path, key: Ed25519PublicKey) -> tuple[list[dict], list[str]]:
    anchors, failures = [], []
    with log.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if text.strip():
                line = signed_anchor(text, key)
                if line is None:
                    failures.append(f"BROKEN: anchor line {number} of {log} fails its signature")
                else:
                    anchors.append(line)
    return anchors, failures


def against_chain(db: Database, anchors: list[dict], last_seq: int) -> list[str]:
    """The newest anchor beyond the chain's end; the oldest whose hash the chain lacks."""
    problems = []
    beyond = [anchor for anchor in anchors if anchor["seq"] > last_seq]
    if beyond:
        newest = max(beyond, key=lambda anchor: anchor["seq"])
        problems.append(f"BROKEN: events after {last_seq} removed "
                        f"(anchor of {newest['time']}, seq {newest['seq']})")
    within = [anchor for anchor in anchors if 0 < anchor["seq"] <= last_seq]
    stored = db.hashes_at(sorted({anchor["seq"] for anchor in within}))
    rewritten = [anchor for anchor in within if stored.get(anchor["seq"]) != anchor["head"]]
    if rewritten:
        oldest = min(rewritten, key=lambda anchor: anchor["seq"])
        problems.append(f"BROKEN: history rewritten before {oldest['seq']} "
                        f"(anchor of {oldest['time']})")
    return problems


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError, OSError) as error:
        raise UsageError(f"{path} is not a usable public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"{path} is not an Ed25519 public key")
    return key


def _lacking(why: str, lacking: list[dict]) -> str:
    newest = lacking[-1]
    return (f"BROKEN: the trail records {len(lacking)} anchor(s) that the anchor log does not "
            f"hold, the newest of {newest.get('time')}, seq {newest.get('seq')} ({why})")


def missing_from_log(recorded: list[dict], anchors: list[dict], key: str) -> list[str]:
    """Anchors the trail records with this key that no signed line of the log holds."""
    in_log = {(anchor["seq"], anchor["head"]) for anchor in anchors}
    lacking = [checkpoint for checkpoint in recorded if checkpoint.get("key") == key
               and (checkpoint.get("seq"), checkpoint.get("head")) not in in_log]
    return [_lacking("lines removed or replaced", lacking)] if lacking else []


def _files_missing(log: Path, key_path: Path, recorded: list[dict]):
    """The outcome when the log or the key is missing, else None (both are there). A trail
    that records anchors had a log: its absence is no new installation."""
    if not (log.exists() or key_path.exists()):
        if recorded:
            return False, [_lacking("there is no anchor log to hold them", recorded)]
        return True, [f"WARNING: no anchors yet (no key, no anchor log at {log}): "
                      "removed newest events cannot be detected"]
    if not log.exists():
        return False, [f"ERROR: the anchor log {log} is missing (its public key {key_path} exists)"]
    if not key_path.exists():
        return False, [f"ERROR: the public key {key_path} is missing (the anchor log {log} exists)"]
    return None


def check_anchors(db: Database, log: Path, key_path: Path) -> tuple[bool, list[str]]:
    """Whether every anchor holds, and the anchors' lines."""
    recorded = db.recorded_anchors()
    missing = _files_missing(log, key_path, recorded)
    if missing:
        return missing
    try:
        key = load_public_key(key_path)
        anchors, failures = read_anchors(log, key)
    except UsageError as error:
        return False, [f"ERROR: {error}"]
    except OSError as error:
        return False, [f"ERROR: cannot read the anchor log {log} ({error.strerror})"]
    lacking = missing_from_log(recorded, anchors, fingerprint(key))
    if not anchors and not failures and not lacking:
        return True, [f"WARNING: no anchors yet in {log}: removed newest events cannot be detected"]
    problems = failures[:LISTED_SIGNATURE_FAILURES]
    if len(failures) > LISTED_SIGNATURE_FAILURES:
        problems.append(f"BROKEN: {len(failures) - LISTED_SIGNATURE_FAILURES} more anchor "
                        f"lines of {log} fail their signature")
    problems += lacking
    problems += against_chain(db, anchors, db.scalar("SELECT max(seq) FROM audit_events") or 0)
    return not problems, problems or [f"OK, {len(anchors)} anchors checked"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--anchors", required=True, type=Path, help="the anchor log (JSON lines)")
    parser.add_argument("--public-key", required=True, type=Path, help="the anchors' PEM key")
    args = parser.parse_args(argv)
    try:
        db = Database(args.database_url)
    except UsageError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    try:
        chain_ok, chain_line = check_chain(db)
        anchors_ok, anchor_lines = check_anchors(db, args.anchors, args.public_key)
    except db.errors as error:  # not this application's database, or not a database at all
        reason = str(error).strip().splitlines() or [type(error).__name__]
        print(f"ERROR: cannot read the audit trail: {reason[0]}", file=sys.stderr)
        return 2
    print("\n".join([chain_line, *anchor_lines]))
    return 0 if chain_ok and anchors_ok else 1


if __name__ == "__main__":
    sys.exit(main())
