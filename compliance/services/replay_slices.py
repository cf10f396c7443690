"""Which records one pass of a replay holds in memory (`audit_replay`).

A replay keeps the latest recorded values of every row it replays; at national scale that is
more than a machine's memory. So a large trail is replayed in passes, each over a slice of the
records: those whose id ends in one of the slice's digits. An id's last digit is spread
evenly, and a record's events and its live row always fall in the same slice, so each pass
is a whole replay of its records. An id that does not end in a digit (only a damaged trail
has one) falls in the first slice.
"""

from dataclasses import dataclass

DIGITS = {str(digit): digit for digit in range(10)}
MOST = len(DIGITS)  # one slice per last digit


def _quoted(digits) -> str:
    return ", ".join(f"'{digit}'" for digit in digits)


@dataclass(frozen=True)
class Slice:
    index: int = 0
    count: int = 1

    @property
    def whole(self) -> bool:
        return self.count == 1

    def holds(self, key: str) -> bool:
        return DIGITS.get(key[-1:], 0) % self.count == self.index

    def _condition(self, text: str) -> str:
        """SQL: whether the text `text` is the id of a record of this slice (no `%`: the
        statement goes to the driver with parameters)."""
        last = f"COALESCE(substr({text}, length({text}), 1), '')"
        ours = _quoted(d for d in DIGITS if DIGITS[d] % self.count == self.index)
        if self.index:
            return f"{last} IN ({ours})"
        return f"({last} IN ({ours}) OR {last} NOT IN ({_quoted(DIGITS)}))"

    def of_events(self) -> str:
        """A condition to add to a query of audit events."""
        return "" if self.whole else f" AND {self._condition('record_id')}"

    def of_rows(self, key_columns: tuple[str, ...]) -> str:
        """A WHERE clause for a table's rows: a composite key's text ends as its last column's
        does."""
        if self.whole:
            return ""
        return f" WHERE {self._condition(f'CAST({key_columns[-1]} AS TEXT)')}"


def slices(count: int) -> list[Slice]:
    return [Slice(index, count) for index in range(count)]


WHOLE = Slice()
