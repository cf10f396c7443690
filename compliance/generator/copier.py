"""PostgreSQL's binary COPY of the generator's rows, in a thread of its own: while the server
stores one chunk, Python builds the next (psycopg lets go of the GIL while it waits)."""

import queue
import threading
from datetime import UTC, datetime
from operator import itemgetter

from sqlalchemy import Table

from compliance.dbtypes import UTCDateTime

WAITING = 4  # chunks handed over and not yet copied: what the copy thread may hold in memory
MAX_TIMES = 100_000
TYPES = "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"


class Layout:
    """How one table's rows go into a binary COPY: its columns, their types, and which hold
    timestamps (aware UTC in the rows, stored naive)."""

    def __init__(self, table: Table, columns: list[str], types: dict[str, int]):
        self.statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        self.types = [types[name] for name in columns]
        self.values = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
        self.times = [n for n, name in enumerate(columns)
                      if isinstance(table.c[name].type, UTCDateTime)]


class Copier:
    """Copies chunks of rows in the order handed over; `drain` waits until all are in."""

    def __init__(self, driver_connection, threaded: bool = True):
        self.raw = driver_connection
        self.layouts: dict[tuple, Layout] = {}
        self.naive: dict[datetime, datetime] = {}  # a few distinct times per day
        self.failure: BaseException | None = None
        self.chunks: queue.Queue | None = None
        self.closing = False
        if threaded:
            self.chunks = queue.Queue(maxsize=WAITING)
            self.thread = threading.Thread(target=self._work, name="generator COPY", daemon=True)
            self.thread.start()

    def copy(self, table: Table, rows: list[dict]) -> None:
        self._raise_failure()
        if self.chunks is None:
            self._copy(table, rows)
        else:
            self.chunks.put((table, rows))

    def drain(self) -> None:
        """Wait until every chunk handed over is stored; raise what went wrong, if anything."""
        if self.chunks is not None:
            self.chunks.join()
        self._raise_failure()

    def close(self) -> None:
        """Stop the thread, dropping what it has not begun (nothing, after `drain`): the
        connection is rolled back next, and must not take a chunk after that."""
        if self.chunks is not None:
            self.closing = True
            self.chunks.put(None)
            self.thread.join()
            self.chunks = None

    def _raise_failure(self) -> None:
        if self.failure is not None:
            raise RuntimeError(f"bulk copy failed: {self.failure}") from self.failure

    def _work(self) -> None:
        chunks = self.chunks
        while (chunk := chunks.get()) is not None:
            try:
                if self.failure is None and not self.closing:
                    self._copy(*chunk)
            except BaseException as error:  # noqa: BLE001 - handed to the main thread
                self.failure = error
            finally:
                chunks.task_done()
        chunks.task_done()

    def _layout(self, table: Table, row: dict) -> Layout:
        key = (table.name, *row)
        if key not in self.layouts:
            with self.raw.cursor() as cursor:
                types = dict(cursor.execute(TYPES, (table.name,)).fetchall())
            self.layouts[key] = Layout(table, list(row), types)
        return self.layouts[key]

    def _copy(self, table: Table, rows: list[dict]) -> None:
        layout = self._layout(table, rows[0])
        with self.raw.cursor() as cursor, cursor.copy(layout.statement) as copy:
            copy.set_types(layout.types)
            for row in rows:
                values = layout.values(row)
                if layout.times:
                    values = self._stored_times(values, layout.times)
                copy.write_row(values)

    def _stored_times(self, values: tuple, positions: list[int]) -> list:
        values = list(values)
        for n in positions:
            moment = values[n]
            if moment is not None:
                stored = self.naive.get(moment)
                if stored is None:
                    if len(self.naive) > MAX_TIMES:
                        self.naive.clear()
                    stored = self.naive[moment] = moment.astimezone(UTC).replace(tzinfo=None)
                values[n] = stored
        return values
