"""Bulk writing: explicit ids, chunked multi-row inserts (COPY on PostgreSQL), sequences set
afterwards."""

from collections import defaultdict

from sqlalchemy import Table, func, select, text

from compliance.extensions import db
from compliance.generator.copier import Copier

CHUNK = 20_000


class BulkWriter:
    """Buffers rows per table and inserts them in chunks; hands out ids."""

    def __init__(self, connection, on_rows=None, threaded: bool = True, in_order: bool = True):
        """`in_order`: while the foreign keys are checked, a table's rows are written only
        after those of every table before it."""
        self.connection, self.in_order = connection, in_order
        self.copier = None
        if connection.dialect.name == "postgresql":
            self.copier = Copier(connection.connection.driver_connection, threaded)
        self.buffers: dict[str, list[dict]] = defaultdict(list)
        self.next_ids: dict[str, int] = {}
        self.on_rows = on_rows or (lambda n: None)
        self.order: list[str] = []
        self.known: set[str] = set()  # the tables rows were added to
        self.on_add = lambda name, row: None  # the audit chain's hook

    def table(self, name: str) -> Table:
        return db.metadata.tables[name]

    def new_id(self, name: str) -> int:
        if name not in self.next_ids:
            self.drain()  # the connection is the copy thread's while it copies
            current = self.connection.scalar(select(func.max(self.table(name).c.id)))
            self.next_ids[name] = (current or 0) + 1
        value = self.next_ids[name]
        self.next_ids[name] += 1
        return value

    def add(self, name: str, row: dict, announced: bool = False) -> dict:
        """Buffer a row; `announced` when its audit event was already made (a row written as
        it ends up, after the events of its changes)."""
        if name not in self.known:
            self.known.add(name)
            if name not in self.order:
                self.order.append(name)
        if not announced:
            self.on_add(name, row)
        buffer = self.buffers[name]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self.flush_through(name)
        return row

    def flush_through(self, name: str) -> None:
        """Flush `name` and, in order, every table registered before it (foreign keys point
        backwards)."""
        if not self.in_order:
            self._flush(name)
            return
        for table in self.order[: self.order.index(name) + 1]:
            self._flush(table)

    def _flush(self, name: str) -> None:
        rows = self.buffers.pop(name, [])
        if not rows:
            return
        if self.copier is not None:
            self.copier.copy(self.table(name), rows)
        else:
            self.connection.execute(self.table(name).insert(), rows)
        self.on_rows(len(rows))

    def flush_all(self) -> None:
        """Write every row held; when it returns, they are all in the database."""
        for name in list(self.order):
            self._flush(name)
        self.drain()

    def drain(self) -> None:
        if self.copier is not None:
            self.copier.drain()

    def close(self) -> None:
        if self.copier is not None:
            self.copier.close()

    def reset_sequences(self) -> None:
        if self.connection.dialect.name != "postgresql":
            return
        for name in self.next_ids:
            self.connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
