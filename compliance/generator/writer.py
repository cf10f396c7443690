"""Bulk writing: explicit ids, chunked multi-row inserts, sequences set afterwards."""

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import Table, func, select, text

from compliance.extensions import db

CHUNK = 5_000


def _plain(value):
    """Timestamps are stored as naive UTC (see compliance.dbtypes.UTCDateTime)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


class BulkWriter:
    """Buffers rows per table and inserts them in chunks; hands out ids."""

    def __init__(self, connection, on_rows=None):
        self.connection = connection
        self.buffers: dict[str, list[dict]] = defaultdict(list)
        self.next_ids: dict[str, int] = {}
        self.on_rows = on_rows or (lambda n: None)
        self.order: list[str] = []
        self.on_add = lambda name, row: None  # the audit chain's hook

    def table(self, name: str) -> Table:
        return db.metadata.tables[name]

    def new_id(self, name: str) -> int:
        if name not in self.next_ids:
            current = self.connection.scalar(select(func.max(self.table(name).c.id)))
            self.next_ids[name] = (current or 0) + 1
        value = self.next_ids[name]
        self.next_ids[name] += 1
        return value

    def add(self, name: str, row: dict, announced: bool = False) -> dict:
        """Buffer a row; `announced` when its audit event was already made (a row written as
        it ends up, after the events of its changes)."""
        if name not in self.order:
            self.order.append(name)
        if not announced:
            self.on_add(name, row)
        self.buffers[name].append(row)
        if len(self.buffers[name]) >= CHUNK:
            self.flush_through(name)
        return row

    def flush_through(self, name: str) -> None:
        """Flush `name` and every table registered before it (foreign keys point backwards)."""
        for table in self.order[: self.order.index(name) + 1]:
            self._flush(table)

    def _flush(self, name: str) -> None:
        rows = self.buffers.pop(name, [])
        if not rows:
            return
        if self.connection.dialect.name == "postgresql":
            self._copy(name, rows)
        else:
            self.connection.execute(self.table(name).insert(), rows)
        self.on_rows(len(rows))

    def _copy(self, name: str, rows: list[dict]) -> None:
        """PostgreSQL's COPY: many times faster than INSERT for bulk loads."""
        columns = list(rows[0])
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_plain(row[column]) for column in columns])

    def flush_all(self) -> None:
        for name in list(self.order):
            self._flush(name)

    def reset_sequences(self) -> None:
        if self.connection.dialect.name != "postgresql":
            return
        for name in self.next_ids:
            self.connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
