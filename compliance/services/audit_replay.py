"""Replaying the audit trail against the live tables (D6): each audited row's current values
must equal the new values of its latest audit event.

The events are read as raw rows in sequence order and folded into the latest recorded values
of every row; then each live table is read raw and compared, column by column, in the form
the trail records values (`replay_columns`). Both are read in one snapshot, so work committed
meanwhile cannot show up as a difference.
"""

import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.seeds import contraindication_rows
from compliance.services.audit import is_audited
from compliance.services.replay_columns import ReplayTable, replay_table
from compliance.services.unit_of_work import record_alone

REPLAY = "replay"
FETCH = 20_000
PG_RANGE = 50_000  # events per query on PostgreSQL, as in audit_verify
ON_TRAIL = 5  # differences named in the recorded outcome (all are counted)
NO_CREATE = "no creating event"
GONE = "gone from the table, though no event deleted it"
DELETED = "deleted on the trail, still in the table"
_MISSING = object()


@dataclass(frozen=True)
class Difference:
    """A live row that disagrees with the trail: one column, or (column None) the whole row."""

    table: str
    record_id: str
    column: str | None = None
    table_value: object = None
    audited_value: object = None
    problem: str | None = None

    def describe(self) -> str:
        if self.column is None:
            return f"{self.table} {self.record_id}: {self.problem}"
        return (f"{self.table} {self.record_id} {self.column}: table {self.table_value!r}, "
                f"audited {self.audited_value!r}")


@dataclass(frozen=True)
class Replay:
    events: int
    rows: int
    tables: int
    differences: tuple[Difference, ...]

    @property
    def ok(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        if self.ok:
            return (f"OK, {self.events} events replayed; {self.rows} rows in {self.tables} "
                    f"tables agree with them")
        return (f"DIFFERENT: {len(self.differences)} difference(s) between the tables and "
                f"their {self.events} events")


def audited_tables(dialect) -> dict[str, ReplayTable]:
    models = (mapper.class_ for mapper in db.Model.registry.mappers)
    return {table.name: table for table in sorted(
        (replay_table(model, dialect) for model in models if is_audited(model)),
        key=lambda table: table.name)}


def _baseline(tables) -> dict[str, dict]:
    """Rows as the trail starts from: empty, but for the reference data the migrations
    insert (which no event records) with the ids a new database gives them."""
    records = {name: {} for name in tables}
    for number, row in enumerate(contraindication_rows(), start=1):
        records["contraindications"][str(number)] = dict(row, id=number)
    return records


def _cursor_rows(raw, sql: str, params=()):
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows
    finally:
        cursor.close()


def _event_rows(connection):
    """(table, record id, action, changes) of every data event, oldest first, raw."""
    last = connection.scalar(select(func.max(AuditEvent.seq))) or 0
    postgres = connection.dialect.name == "postgresql"
    marker = "%s" if postgres else "?"
    sql = (f"SELECT table_name, record_id, action, changes FROM audit_events "
           f"WHERE seq BETWEEN {marker} AND {marker} "
           f"AND action IN ('create', 'update', 'delete') ORDER BY seq")
    raw = connection.connection.dbapi_connection
    step = PG_RANGE if postgres else max(last, 1)
    for low in range(1, last + 1, step):
        yield from _cursor_rows(raw, sql, (low, min(low + step - 1, last)))


def _fold(events, records: dict[str, dict]) -> tuple[int, set]:
    """Fold the events into `records` (table -> record id -> latest recorded values, None once
    deleted); returns how many events there were and the rows updated with no creation."""
    count, uncreated, loads = 0, set(), json.loads
    for table, record_id, action, changes in events:
        count += 1
        rows = records.get(table)
        if rows is None:
            continue  # no longer an audited table
        if action == "delete":
            rows[record_id] = None
            continue
        new = {name: pair[1] for name, pair in loads(changes).items()}
        current = rows.get(record_id) if action == "update" else None
        if current is not None:
            current.update(new)
            continue
        if action == "update":
            uncreated.add((table, record_id))
        rows[record_id] = new
    return count, uncreated


def _column_differences(table: ReplayTable, key: str, values, recorded: dict) -> list:
    return [Difference(table.name, key, column.name, column.recorded_form(raw), recorded[name])
            for column, raw in zip(table.columns, values, strict=True)
            if (name := column.name) in recorded and not column.same(raw, recorded[name])]


def _row_checker(table: ReplayTable, uncreated: set):
    """A function listing how one live row (key, raw values, recorded values) differs."""
    names = [column.name for column in table.columns]
    conversions = [(n, column.convert) for n, column in enumerate(table.columns)
                   if column.convert]

    def check(key: str, raw, recorded) -> list[Difference]:
        if recorded is _MISSING or (table.name, key) in uncreated:
            return [Difference(table.name, key, problem=NO_CREATE)]
        if recorded is None:
            return [Difference(table.name, key, problem=DELETED)]
        values = list(raw)
        for n, convert in conversions:
            if values[n] is not None:
                values[n] = convert(values[n])
        if values == list(map(recorded.get, names)):
            return []
        return _column_differences(table, key, raw, recorded)

    return check


def _compare(connection, table: ReplayTable, records: dict, uncreated: set, found: list) -> int:
    """Compare every live row of `table` with its recorded values, taking it out of `records`;
    returns how many rows the table holds."""
    check, width, count = _row_checker(table, uncreated), len(table.keys), 0
    for row in _cursor_rows(connection.connection.dbapi_connection, table.select_sql()):
        count += 1
        key = str(row[0]) if width == 1 else "|".join(map(str, row[:width]))
        if differences := check(key, row[width:], records.pop(key, _MISSING)):
            found.extend(differences)
    return count


def _gone(records: dict[str, dict]) -> list[Difference]:
    return [Difference(table, key, problem=GONE) for table, rows in records.items()
            for key, recorded in rows.items() if recorded is not None]


@contextmanager
def _snapshot():
    """One read-only transaction that sees a single moment of the database."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def replay() -> Replay:
    """Replay every data event and list each live row that disagrees with the trail."""
    with _snapshot() as connection:
        tables = audited_tables(connection.dialect)
        records = _baseline(tables)
        events, uncreated = _fold(_event_rows(connection), records)
        found: list[Difference] = []
        rows = sum(_compare(connection, table, records[name], uncreated, found)
                   for name, table in tables.items())
    found.extend(_gone(records))
    return Replay(events, rows, len(tables), tuple(found))


def replay_and_record() -> Replay:
    """Replay, and append the outcome to the trail (the banner and dashboard read it)."""
    result = replay()
    record_alone(None, REPLAY, detail=result.summary(), changes={
        "ok": result.ok, "events": result.events, "rows": result.rows,
        "differences": len(result.differences),
        "first": [asdict(difference) for difference in result.differences[:ON_TRAIL]]})
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
