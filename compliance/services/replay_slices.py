"""Which records one pass of a replay holds in memory (`audit_replay`).

A replay keeps the latest recorded values of every row it replays; at national scale that is
more than a machine's memory. So a large trail is replayed in passes, each over a slice of the
records, chosen by the last two digits of their ids (0 to 99, a bucket): an id's last digits
are spread evenly, and a record's events and its live row always fall in the same slice, so
each pass is a whole replay of its records.

A character that is not a digit counts as 0 (a negative id's sign; a damaged trail's ids). The
keys of audited tables are integers (`replay_columns`), whose text is the same in Python, SQLite
and PostgreSQL. (SQLite's length() stops at a NUL character, which no id written by the
application holds: a record id damaged so would be replayed in another pass than its row, and
listed as a difference either way.)
"""

import math
from dataclasses import dataclass

DIGITS = {str(digit): digit for digit in range(10)}
BUCKETS = 100  # the last two digits
MOST = 20  # passes: each reads the whole trail again


def _digit_sql(character: str) -> str:
    digits = ", ".join(f"'{digit}'" for digit in DIGITS)
    return f"(CASE WHEN {character} IN ({digits}) THEN CAST({character} AS INTEGER) ELSE 0 END)"


def _bucket_sql(text: str) -> str:
    """SQL for the bucket of the text `text`, 0 for NULL as for '' (no `%`: the statement
    goes to the driver with parameters, as `%s`)."""
    last = f"substr({text}, length({text}), 1)"
    before = f"substr({text}, length({text}) - 1, 1)"
    return f"({_digit_sql(last)} + 10 * {_digit_sql(before)})"


def bucket(key: str) -> int:
    return DIGITS.get(key[-1:], 0) + 10 * DIGITS.get(key[-2:-1], 0)


@dataclass(frozen=True)
class Slice:
    index: int = 0
    count: int = 1

    @property
    def whole(self) -> bool:
        return self.count == 1

    def holds(self, key: str) -> bool:
        return bucket(key) % self.count == self.index

    def _condition(self, text: str) -> str:
        ours = ", ".join(str(n) for n in range(BUCKETS) if n % self.count == self.index)
        return f"{_bucket_sql(text)} IN ({ours})"

    def of_events(self) -> str:
        """A condition to add to a query of audit events."""
        return "" if self.whole else f" AND {self._condition('record_id')}"

    def of_rows(self, key_columns: tuple[str, ...]) -> str:
        """A WHERE clause for a table's rows: a composite key's text ends as its last column's
        does."""
        if self.whole:
            return ""
        return f" WHERE {self._condition(f'CAST({key_columns[-1]} AS TEXT)')}"


WHOLE = Slice()


def slices(count: int) -> list[Slice]:
    return [Slice(index, count) for index in range(count)]


def largest_share(count: int) -> float:
    """The share of the records the largest of `count` slices holds."""
    return math.ceil(BUCKETS / count) / BUCKETS
