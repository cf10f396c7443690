"""A live table's columns as the audit trail records them, for `audit_replay`.

Each column has a cheap conversion from the raw value its database driver gives back to the
form `audit.serialise` wrote into the trail, and a slower, exact comparison (through
SQLAlchemy's own type processing) used only where the cheap one found a difference.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from sqlalchemy import JSON, Date, DateTime, Float, Integer, Numeric, inspect
from sqlalchemy.types import TypeDecorator

from compliance.dbtypes import UTCDateTime
from compliance.services.audit import REDACTED, redacted, serialise


@dataclass(frozen=True)
class ReplayColumn:
    name: str  # as the trail records it: the attribute's name
    sql_name: str
    convert: object  # raw value -> recorded form; None when they are already the same
    process: object  # raw value -> the Python value the model would hold (None: as is)
    redacted: bool

    def recorded_form(self, raw):
        """The table's value as the trail would record it (for comparing and for showing)."""
        if raw is None:
            return None
        if self.redacted:
            return redacted(raw)
        return serialise(self.process(raw) if self.process else raw)

    def same(self, raw, recorded) -> bool:
        """Whether the table's value equals the recorded one, exactly (dates as instants,
        decimals as numbers)."""
        value = self.recorded_form(raw)
        if value == recorded:
            return True
        if self.redacted:
            # Events written before secrets were recorded by digest say only "(redacted)",
            # with or without a value: nothing to compare against.
            return recorded == REDACTED
        if value is None or recorded is None:
            return False
        python = self.process(raw) if self.process else raw
        return _same_value(python, recorded)


def _same_value(python, recorded) -> bool:
    try:
        if isinstance(python, datetime):
            return _instant(python) == _instant(datetime.fromisoformat(recorded))
        if isinstance(python, Decimal | float | int) and not isinstance(python, bool):
            return Decimal(str(python)) == Decimal(str(recorded))
    except (TypeError, ValueError, InvalidOperation):
        return False
    return False


def _instant(moment: datetime) -> datetime:
    """Naive times are UTC here (UTCDateTime stores them so)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _sqlite_utc_time(text: str) -> str:
    """'2026-01-02 03:04:05.000000' as an aware time's isoformat (no zero microseconds)."""
    text = text.replace(" ", "T", 1)
    return (text[:-7] if text.endswith(".000000") else text) + "+00:00"


def _sqlite_naive_time(text: str) -> str:
    text = text.replace(" ", "T", 1)
    return text[:-7] if text.endswith(".000000") else text


def _postgres_utc_time(moment: datetime) -> str:
    return moment.isoformat() + "+00:00"


def _redact(raw) -> str | None:
    return redacted(raw)


def _postgres_convert(kind):
    if isinstance(kind, UTCDateTime):
        return _postgres_utc_time
    if isinstance(kind, DateTime | Date):
        return datetime.isoformat if isinstance(kind, DateTime) else date.isoformat
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return str
    return None


def _sqlite_convert(kind):
    if isinstance(kind, UTCDateTime):
        return _sqlite_utc_time
    if isinstance(kind, DateTime):
        return _sqlite_naive_time
    if isinstance(kind, JSON):
        return json.loads
    return None  # dates are stored as their isoformat; 0/1 equal False/True


def replay_column(key: str, column, dialect, redacted: bool) -> ReplayColumn:
    kind = column.type
    if redacted:
        convert = _redact
    elif dialect.name == "postgresql":
        convert = _postgres_convert(kind)
    else:
        convert = _sqlite_convert(kind)
    return ReplayColumn(key, column.name, convert, _processor(kind, dialect), redacted)


def _processor(kind, dialect):
    """What turns a raw value into the model's: SQLAlchemy's own processing on SQLite (which
    stores dates and decimals as text and numbers); psycopg already gives Python values, and
    only a decorator's own step (UTCDateTime's time zone) is left."""
    if dialect.name != "postgresql":
        return kind.dialect_impl(dialect).result_processor(dialect, None)
    if isinstance(kind, TypeDecorator):
        return partial(kind.process_result_value, dialect=dialect)
    return None


@dataclass(frozen=True)
class ReplayTable:
    """An audited model's table: its key columns and the columns the trail records."""

    name: str
    keys: tuple[str, ...]
    columns: tuple[ReplayColumn, ...]

    def select_sql(self) -> str:
        names = (*self.keys, *(column.sql_name for column in self.columns))
        return f"SELECT {', '.join(names)} FROM {self.name}"


def replay_table(model, dialect) -> ReplayTable:
    mapper = inspect(model)
    excluded = set(getattr(model, "__audit_exclude__", ()))
    redacted = set(getattr(model, "__audit_redact__", ()))
    columns = tuple(replay_column(attr.key, attr.columns[0], dialect, attr.key in redacted)
                    for attr in mapper.column_attrs if attr.key not in excluded)
    if not isinstance(mapper.primary_key[-1].type, Integer):
        # Replay shares records out among passes by the last digits of that key's text
        # (`replay_slices`), the same in Python and SQL only for an integer.
        raise TypeError(f"{model.__tablename__}: an audited table's key must end in an integer")
    keys = tuple(column.name for column in mapper.primary_key)
    return ReplayTable(model.__tablename__, keys, columns)
