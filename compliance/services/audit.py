"""The audit trail: every change captured at flush, in the same transaction, hash-chained.

Models are audited by default; a model opts out only with `__audit_exempt__ = "reason"`.
`__audit_exclude__` names fields never recorded, `__audit_redact__` fields recorded as changed
without their values (a digest of each instead).
"""

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, insert, inspect, select, text

from compliance.clock import utcnow
from compliance.database import per_transaction
from compliance.extensions import db
from compliance.fixed_places import getter, named_place, place_of
from compliance.models import AuditEvent

GENESIS = "0" * 64
REDACTED = "(redacted)"
CHAIN_LOCK_KEY = 7_150_001  # pg_advisory_xact_lock key that serialises appends to the chain
PENDING = per_transaction("audit_pending")  # this transaction's events, written at commit
REASON = per_transaction("audit_reason")  # why, as the person gave it
HASHED_FIELDS = ("occurred_at", "actor_id", "actor_name", "action", "table_name", "record_id",
                 "changes", "reason", "rule", "detail", "prev_hash")


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str


SYSTEM = Actor(None, "system")
_explicit_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


def actor_of(user) -> Actor:
    return Actor(user.id, user.full_name) if user is not None else SYSTEM


@contextmanager
def acting_as(actor: Actor):
    """Attribute changes made inside the block to `actor` (command line, background work)."""
    token = _explicit_actor.set(actor)
    try:
        yield
    finally:
        _explicit_actor.reset(token)


_ambient_actor = None  # set by security.py: who is signed in to the current request


def use_ambient_actor(resolve) -> None:
    """Name the function that says who is acting when no one was named explicitly."""
    global _ambient_actor
    _ambient_actor = resolve


def current_actor() -> Actor:
    """Who the changes of the running work are attributed to: the actor `acting_as` names,
    else the signed-in user of the current request, else the system."""
    explicit = _explicit_actor.get()
    if explicit is not None:
        return explicit
    user = _ambient_actor() if _ambient_actor is not None else None
    return actor_of(user)


def give_reason(reason: str | None) -> None:
    """The user's reason, recorded on every event of the current transaction."""
    db.session.info[REASON] = (reason or "").strip() or None


def serialise(value):
    """A JSON-safe, stable form of a column value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# occurred_at as both databases give it back as text (SQLite stores it so; PostgreSQL's
# to_char matches), so that verification can hash raw rows without parsing them.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

# A JSON list is an unambiguous encoding of the values. The standard library's encoder
# defines it; orjson writes the same bytes for text, integers and None about ten times faster,
# which is most of verification's time at a million events.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encoded(values) -> bytes:
    """The hash's input: `values` as compact JSON in UTF-8, non-ASCII characters unescaped."""
    try:
        return orjson.dumps(values)
    except orjson.JSONEncodeError:  # integers past 64 bits, say: the defining encoder's bytes
        return _ENCODE(values).encode()


def hash_raw(values) -> str:
    """SHA-256 of values that are already text, numbers or None (raw database rows)."""
    return hashlib.sha256(encoded(values)).hexdigest()


def hash_values(values) -> str:
    """SHA-256 of field values, timestamps written as the databases give them back."""
    return hash_raw([value.astimezone(UTC).strftime(TIME_FORMAT)
                     if isinstance(value, datetime) else value for value in values])


def event_hash(fields) -> str:
    """The hash of one event's content, which includes the previous event's hash."""
    return hash_values(fields.get(name) for name in HASHED_FIELDS)


def is_audited(model) -> bool:
    return not getattr(model, "__audit_exempt__", None)


def record_key(obj) -> str:
    """The primary key as text; read from the columns, as new rows have no identity yet."""
    identity = inspect(type(obj)).primary_key_from_instance(obj)
    return "|".join(str(part) for part in identity)


def redacted(value) -> str | None:
    """A secret as the trail records it: never the value, but its digest, so that a secret
    replaced behind the application's back still shows against its trail (`flask audit
    replay`). The secrets redacted are hashes or ciphertexts already: the digest gives
    nothing away."""
    if value is None:
        return None
    return f"{REDACTED} sha256:{hashlib.sha256(str(value).encode()).hexdigest()}"


def _field_value(model, name: str, value):
    return redacted(value) if name in getattr(model, "__audit_redact__", ()) else serialise(value)


def _recorded_columns(model):
    excluded = set(getattr(model, "__audit_exclude__", ()))
    return [attr for attr in inspect(model).column_attrs if attr.key not in excluded]


def _diff(obj, kind: str) -> dict:
    model, state = type(obj), inspect(obj)
    changes = {}
    for attr in _recorded_columns(model):
        history = state.attrs[attr.key].history
        if kind == "create":
            changes[attr.key] = [None, _field_value(model, attr.key, getattr(obj, attr.key))]
        elif kind == "delete":
            changes[attr.key] = [_field_value(model, attr.key, getattr(obj, attr.key)), None]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_field_value(model, attr.key, old),
                                     _field_value(model, attr.key, new)]
    return changes


def _collect(session) -> list[dict]:
    rows, get = [], getter(session)
    for kind, objects in (("create", session.new), ("update", session.dirty),
                          ("delete", session.deleted)):
        for obj in objects:
            if not is_audited(type(obj)):
                continue
            changes = _diff(obj, kind)
            if changes:
                rows.append(dict(action=kind, table_name=obj.__tablename__, changes=changes,
                                 record_id=record_key(obj), location_id=place_of(obj, get)))
    return rows


def _queue(session, rows: list[dict], actor: Actor, reason: str | None) -> None:
    for row in rows:
        row.update(actor_id=actor.id, actor_name=actor.name)
        row.setdefault("reason", reason)
    session.info.setdefault(PENDING, []).extend(rows)


def _append(connection, rows: list[dict]) -> None:
    """Chain the transaction's events onto the trail. Called as the transaction commits, so
    the chain lock is the last lock it takes: a writer holding it waits for nobody, and no
    two writers can deadlock over it and a batch row."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    table = AuditEvent.__table__
    last = connection.execute(select(table.c.seq, table.c.hash)
                              .order_by(table.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    now = utcnow()
    for row in rows:
        seq += 1
        row.update(seq=seq, occurred_at=now, prev_hash=prev,
                   changes=canonical(row.get("changes") or {}))
        for name in ("reason", "rule", "detail", "table_name", "record_id"):
            row.setdefault(name, None)
        row["hash"] = prev = event_hash(row)
    connection.execute(insert(table), rows)


@event.listens_for(FlaskSession, "after_flush")
def _capture(session, _flush_context) -> None:
    rows = _collect(session)
    if rows:
        _queue(session, rows, current_actor(), session.info.get(REASON))


@event.listens_for(FlaskSession, "before_commit")
def _write_pending(session) -> None:
    session.flush()  # what the commit would flush is captured before the events are written
    rows = session.info.pop(PENDING, None)
    if rows:
        _append(session.connection(), rows)


def record_event(action: str, *, actor: Actor | None = None, table_name: str | None = None,
                 record_id: str | None = None, changes: dict | None = None,
                 reason: str | None = None, rule: str | None = None,
                 detail: str | None = None) -> None:
    """Add one non-data event (sign-in, export, refusal) to the current transaction."""
    row = dict(action=action, table_name=table_name, record_id=record_id, changes=changes,
               reason=reason, rule=rule, detail=detail,
               location_id=named_place(table_name, record_id, db.session.get))
    db.session.connection()  # the event belongs to this transaction: make sure there is one
    _queue(db.session(), [row], actor or current_actor(), None)


def head() -> tuple[int, str]:
    """The sequence number and hash of the newest event."""
    last = db.session.execute(select(AuditEvent.seq, AuditEvent.hash)
                              .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)
