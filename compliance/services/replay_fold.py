"""Folding a table's audit events into the latest recorded values of each of its rows, kept
as a tuple per row in the order of the table's columns (small, and compared with a live row
in one step)."""

import json

import orjson

from compliance.seeds import FIRST_LOCATION, FIRST_STORAGE_AREA, contraindication_rows
from compliance.services.replay_columns import ReplayTable

NO_CREATE = "no creating event"
GONE = "gone from the table, though no event deleted it"
DELETED = "deleted on the trail, still in the table"
UNREADABLE = "an event about it cannot be read"
MISSING = object()  # a live row no event created
ABSENT = object()  # a column no event of its row recorded (added to the table since)
_NO_PAIR = (None, ABSENT)
_loads = orjson.loads


class Layout:
    """One table's rows as its events left them: record id -> latest recorded values (a tuple
    in the order of `ReplayTable.columns`), or None once an event deleted the row."""

    def __init__(self, table: ReplayTable):
        self.names = [column.name for column in table.columns]
        self.index = {name: n for n, name in enumerate(self.names)}
        self.rows: dict[str, tuple | None] = {}

    def created(self, record_id: str, changes: dict) -> None:
        try:
            self.rows[record_id] = tuple([changes[name][1] for name in self.names])
        except KeyError:
            self.rows[record_id] = tuple(changes.get(name, _NO_PAIR)[1] for name in self.names)

    def updated(self, record_id: str, changes: dict) -> bool:
        """Apply an update; False if no event created the row."""
        current = self.rows.get(record_id)
        values = list(current) if current is not None else [ABSENT] * len(self.names)
        for name, (_old, new) in changes.items():
            if (n := self.index.get(name)) is not None:
                values[n] = new
        self.rows[record_id] = tuple(values)
        return current is not None


def baseline(tables: dict[str, ReplayTable], holds=lambda key: True) -> dict[str, Layout]:
    """Rows as the trail starts from: none, but for the reference data the migrations insert
    (which no event records) with the ids a new database gives them; of those, the ones
    whose key `holds`."""
    layouts = {name: Layout(table) for name, table in tables.items()}
    if "contraindications" in layouts:
        layout = layouts["contraindications"]
        for number, row in enumerate(contraindication_rows(), start=1):
            if not holds(key := str(number)):
                continue
            row = dict(row, id=number)
            layout.rows[key] = tuple(row.get(name, ABSENT) for name in layout.names)
    for name, row in (("locations", FIRST_LOCATION), ("storage_areas", FIRST_STORAGE_AREA)):
        if name in layouts and holds(key := str(row["id"])):
            layout = layouts[name]
            layout.rows[key] = tuple(row.get(column, ABSENT) for column in layout.names)
    return layouts


def _apply(layout: Layout, record_id: str, action: str, changes: str) -> str | None:
    """Apply one event to its row; what is wrong with the row's events, if anything."""
    if action == "delete":
        layout.rows[record_id] = None
        return None
    try:
        try:  # orjson reads JSON several times faster; the standard library takes what it
            parsed = _loads(changes)  # refuses (integers past 64 bits, say)
        except orjson.JSONDecodeError:
            parsed = json.loads(changes)
        if action == "create":
            layout.created(record_id, parsed)
            return None
        return None if layout.updated(record_id, parsed) else NO_CREATE
    except (ValueError, TypeError, IndexError, AttributeError):
        return UNREADABLE


def fold(batches, layouts: dict[str, Layout]) -> tuple[int, dict]:
    """Fold lists of (table, record id, action, changes) events, oldest first, into `layouts`;
    returns how many there were and what is wrong with the events of some rows."""
    count, problems = 0, {}
    for batch in batches:
        count += len(batch)
        for table, record_id, action, changes in batch:
            layout = layouts.get(table)
            if layout is not None and (problem := _apply(layout, record_id, action, changes)):
                problems.setdefault((table, record_id), problem)
    return count, problems
