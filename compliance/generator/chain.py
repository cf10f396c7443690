"""The generated clinic's audit trail: a create event with every recorded value of each row
the generator writes (D6: the tables agree with their trail, so `flask audit replay` passes),
hash-chained like the application's own."""

import json
from datetime import UTC, datetime, time
from decimal import Decimal

import orjson

from compliance.extensions import db
from compliance.fixed_places import (
    EVERYWHERE,
    OWN_COLUMN,
    PARENT,
    SIGNATURES,
    belongs_nowhere,
    signs_nowhere,
)
from compliance.generator.writer import BulkWriter
from compliance.services.audit import (
    TIME_FORMAT,
    hash_raw,
    is_audited,
    redacted,
    serialise,
)

# Where a generated row says when it was entered and by whom; rows that do not say take the
# time of the row before them and the generator's name.
TIME_COLUMNS = ("recorded_at", "created_at", "started_at", "signed_at", "counted_at", "sent_at",
                "raised_at", "contacted_at")
DAY_COLUMNS = ("occurred_on", "received_on", "screened_on", "consented_on", "held_on")
ACTOR_COLUMNS = ("actor_id", "recorded_by_id", "prescriber_id", "counted_by_id", "signer_id",
                 "sent_by_id", "contacted_by_id")
GENERATOR = "data generator"


def _decimal(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a generated value")


def fast_canonical(data) -> str:
    """`canonical(data)` with every date, time and Decimal already as `serialise` writes it,
    several times faster: orjson writes the same text for the values the generator makes (the
    generator's tests compare every event with the standard library's); anything else goes
    through the defining encoder."""
    try:
        return orjson.dumps(data, default=_decimal, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:  # integers past 64 bits, say
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=serialise)


def _defaults(columns) -> tuple[list[tuple[str, object]], list[str]]:
    """The columns a row may leave out, with what the insert would store; those it may not."""
    defaults, required = [], []
    for column in columns:
        if column.default is not None and column.default.is_scalar:
            defaults.append((column.key, column.default.arg))
        elif column.nullable:
            defaults.append((column.key, None))
        else:
            required.append(column.key)
    return defaults, required


class Shape:
    """What a create event of one audited table records, worked out once for all its rows."""

    def __init__(self, model):
        self.table = model.__tablename__
        self.defaults, self.required = _defaults(model.__table__.columns)
        self.width = len(model.__table__.columns)
        keys = set(model.__table__.columns.keys())
        self.actors = tuple(name for name in ACTOR_COLUMNS if name in keys)
        self.times = tuple(name for name in TIME_COLUMNS if name in keys)
        self.days = tuple(name for name in DAY_COLUMNS if name in keys)
        self.excluded = frozenset(getattr(model, "__audit_exclude__", ()))
        self.secret = frozenset(getattr(model, "__audit_redact__", ()))

    def fill(self, row: dict) -> None:
        """Give a row every column, as the insert would store it, so its event records them
        all."""
        if len(row) >= self.width:
            return
        for key, value in self.defaults:
            row.setdefault(key, value)
        for key in self.required:
            if key not in row:
                raise ValueError(f"generated {self.table} rows need {key}")

    def changes(self, row: dict) -> str:
        """The event's changes, canonical: every recorded value, from nothing."""
        if self.excluded or self.secret:
            return fast_canonical({
                key: (None, redacted(value) if key in self.secret else value)
                for key, value in row.items() if key not in self.excluded})
        return fast_canonical({key: (None, value) for key, value in row.items()})


class Places:
    """Where each generated fixed record is (compliance/fixed_places.py), or that it belongs
    to no location, for its events:
    every child row is written just after its parent, so only the latest parent of each kind
    is kept (every storage area, which readings name a year later). A row whose parent is not
    kept gets no place, and its events are decided by the record, as any unplaced event is."""

    OWN = frozenset(model.__tablename__ for model in OWN_COLUMN)
    PARENTS = {model.__tablename__: (key, parent.__tablename__)
               for model, (key, parent) in PARENT.items()}
    KEEP_ALL = frozenset({"storage_areas"})

    def __init__(self):
        self.known: dict[str, dict[int, int | None]] = {
            parent: {} for _key, parent in self.PARENTS.values()}

    def of(self, table: str, row: dict) -> int | None:
        if table == SIGNATURES:
            return self._signed(row["record_table"], row["record_id"])
        place = self._place(table, row)
        self.remember(table, row["id"], place)
        return place

    def remember(self, table: str, record_id: int, place: int | None) -> None:
        """Where a record is (one the generator writes, or one already there)."""
        kept = self.known.get(table)
        if kept is not None:
            if table not in self.KEEP_ALL:
                kept.clear()
            kept[record_id] = place

    def _place(self, table: str, row: dict) -> int | None:
        if belongs_nowhere(table):
            return EVERYWHERE
        if table == "locations":
            return row["id"]
        if table in self.OWN:
            return row["location_id"]
        if table in self.PARENTS:
            key, parent = self.PARENTS[table]
            return self.known[parent].get(row[key])
        return None

    def _signed(self, table: str, record_id: str) -> int | None:
        if signs_nowhere(table):
            return EVERYWHERE
        kept = self.known.get(table)
        return kept.get(int(record_id)) if kept is not None else None


class Chain:
    """Audit events appended in order: one for each row written to an audited table."""

    def __init__(self, writer: BulkWriter, seq: int, head: str):
        self.writer, self.seq, self.head = writer, seq, head
        self.names: dict[int, str] = {}  # user id -> full name, for the events' actors
        self.when = datetime(2000, 1, 1, tzinfo=UTC)
        self.shapes = {mapper.class_.__tablename__: Shape(mapper.class_)
                       for mapper in db.Model.registry.mappers if is_audited(mapper.class_)}
        self.stamps: dict[datetime, str] = {}  # occurred_at as hashed; a few per day
        self.places = Places()
        writer.on_add = self.created

    def created(self, table: str, row: dict) -> None:
        shape = self.shapes.get(table)
        if shape is None:
            return
        shape.fill(row)
        if table == "users":
            self.names[row["id"]] = row["full_name"]
        self._append("create", table, row["id"], self._actor(row, shape),
                     self._when(row, shape), shape.changes(row), self.places.of(table, row))

    def _actor(self, row: dict, shape: Shape) -> tuple[int | None, str]:
        for column in shape.actors:
            if row[column] is not None:
                return row[column], self.names.get(row[column], GENERATOR)
        return None, GENERATOR

    def _when(self, row: dict, shape: Shape) -> datetime:
        moment = next((row[c] for c in shape.times if row[c] is not None), None)
        if moment is None:
            day = next((row[c] for c in shape.days if row[c] is not None), None)
            moment = datetime.combine(day, time(9), tzinfo=UTC) if day else self.when
        self.when = moment
        return moment

    def append(self, action: str, table: str, record_id, actor: tuple[int | None, str],
               when: datetime, changes: dict) -> None:
        self._append(action, table, record_id, actor, when, fast_canonical(changes))

    def _append(self, action: str, table: str, record_id, actor: tuple[int | None, str],
                when: datetime, changes: str, place: int | None = None) -> None:
        """One event; its hash is `event_hash` of the row, the time formatted once."""
        self.seq += 1
        record_id = str(record_id)
        stamp = self.stamps.get(when)
        if stamp is None:
            stamp = self.stamps[when] = when.astimezone(UTC).strftime(TIME_FORMAT)
        digest = hash_raw([stamp, actor[0], actor[1], action, table, record_id, changes,
                           None, None, None, self.head])
        self.writer.add("audit_events", dict(
            seq=self.seq, occurred_at=when, actor_id=actor[0], actor_name=actor[1],
            action=action, table_name=table, record_id=record_id, changes=changes, reason=None,
            rule=None, detail=None, prev_hash=self.head, hash=digest, location_id=place),
            announced=True)
        self.head = digest
