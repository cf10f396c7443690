"""Replaying the trail for some of the audited tables (`audit_replay` runs one part per
process): their events, read raw in sequence order, folded into the latest recorded values of
every row, then every live row compared with them in the form the trail records values
(`replay_columns`)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services import raw_rows
from compliance.services.audit import is_audited
from compliance.services.replay_columns import ReplayTable, replay_table
from compliance.services.replay_fold import (
    ABSENT,
    DELETED,
    GONE,
    MISSING,
    NO_CREATE,
    Layout,
    baseline,
    fold,
)
from compliance.services.replay_slices import WHOLE, Slice


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


def audited_tables(dialect) -> dict[str, ReplayTable]:
    models = (mapper.class_ for mapper in db.Model.registry.mappers)
    return {table.name: table for table in sorted(
        (replay_table(model, dialect) for model in models if is_audited(model)),
        key=lambda table: table.name)}


def _event_rows(connection, names: list[str], records: Slice):
    """(table, record id, action, changes) of every data event about the `records` of the
    tables `names`, oldest first, raw."""
    last = connection.scalar(select(func.max(AuditEvent.seq))) or 0
    return raw_rows.batches_in_ranges(connection, (
        f"SELECT table_name, record_id, action, changes FROM audit_events "
        f"WHERE seq BETWEEN %s AND %s AND action IN ('create', 'update', 'delete') "
        f"AND table_name IN ({', '.join(['%s'] * len(names))}){records.of_events()} ORDER BY seq"),
        1, last, tuple(names))


def _column_differences(table: ReplayTable, key: str, raw: tuple, stored: tuple) -> list:
    return [Difference(table.name, key, column.name, column.recorded_form(value), recorded)
            for column, value, recorded in zip(table.columns, raw, stored, strict=True)
            if recorded is not ABSENT and not column.same(value, recorded)]


def _converter(table: ReplayTable):
    """raw row values -> the forms the trail records (None when they are the same already)."""
    conversions = [(n, column.convert) for n, column in enumerate(table.columns)
                   if column.convert]
    if not conversions:
        return None

    def convert(raw: tuple) -> tuple:
        values = list(raw)
        for n, conversion in conversions:
            if values[n] is not None:
                values[n] = conversion(values[n])
        return tuple(values)

    return convert


def _row_checker(table: ReplayTable, problems: dict):
    """A function listing how one live row (key, raw values, recorded values) differs."""
    convert = _converter(table)

    def check(key: str, raw: tuple, stored) -> list[Difference]:
        problem = problems.get((table.name, key)) if problems else None
        if stored is MISSING or stored is None or problem:
            problem = problem or (DELETED if stored is None else NO_CREATE)
            return [Difference(table.name, key, problem=problem)]
        if (convert(raw) if convert else raw) == stored:
            return []
        return _column_differences(table, key, raw, stored)

    return check


def _compare(connection, table: ReplayTable, records: Slice, rows: dict, problems: dict,
             found: list) -> int:
    """Compare the live rows of `records` in `table` with their recorded values, taking each
    out of `rows`; returns how many rows they are."""
    check, width, count = _row_checker(table, problems), len(table.keys), 0
    for batch in raw_rows.batches(connection, table.select_sql() + records.of_rows(table.keys)):
        count += len(batch)
        for row in batch:
            key = str(row[0]) if width == 1 else "|".join(map(str, row[:width]))
            if differences := check(key, row[width:], rows.pop(key, MISSING)):
                found.extend(differences)
    return count


def _gone(layouts: dict[str, Layout]) -> list[Difference]:
    return [Difference(name, key, problem=GONE) for name, layout in layouts.items()
            for key, stored in layout.rows.items() if stored is not None]


@dataclass(frozen=True)
class Part:
    """What replaying some tables found."""

    events: int
    rows: int
    differences: list[Difference]


def replay_tables(connection, names: list[str], records: Slice = WHOLE) -> Part:
    """Replay the events of the `records` of the tables `names` and compare their rows with
    them, all read in the connection's one transaction (a table and its events are
    written together, so nothing committed meanwhile can show up as a difference)."""
    tables = audited_tables(connection.dialect)
    layouts = baseline({name: tables[name] for name in names}, records.holds)
    events, problems = fold(_event_rows(connection, names, records), layouts)
    found: list[Difference] = []
    rows = sum(_compare(connection, tables[name], records, layouts[name].rows, problems, found)
               for name in names)
    found.extend(_gone(layouts))
    return Part(events, rows, found)
