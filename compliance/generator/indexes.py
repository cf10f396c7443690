"""On PostgreSQL, the generated tables' secondary indexes and foreign keys are set aside while
their rows are copied in, and put back afterwards exactly as the catalogue defined them (its
own `pg_get_indexdef` and `pg_get_constraintdef`, so as the migrations made them). Building an
index once from all its rows, and checking a foreign key once with a join, costs a fraction
of keeping them row by row; a key that the rows break still fails the whole load. Primary
keys and unique constraints stay: they cost little on rows arriving in key order. So do the
audit trail's indexes: its events arrive in sequence, so each index is added to at a few places
only, by the server while Python builds the next rows, whereas building them afterwards, from
tens of millions of events, would be the longest step of a national load (at 1M injections,
38 of the 44 s of index building; keeping them cost the server about as much, during the load)."""

from dataclasses import dataclass, field

import psycopg
from sqlalchemy import text

# The indexes that back no constraint (a constraint's index, or one a foreign key refers to,
# stays), and the foreign keys of the tables written.
PLAIN_INDEXES = text("""
    SELECT index.relname, pg_get_indexdef(index.oid)
    FROM pg_index i JOIN pg_class index ON index.oid = i.indexrelid
    JOIN pg_class owner ON owner.oid = i.indrelid
    WHERE owner.relnamespace = current_schema()::regnamespace AND owner.relname = ANY(:tables)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    ORDER BY index.relname""")
FOREIGN_KEYS = text("""
    SELECT owner.relname, k.conname, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class owner ON owner.oid = k.conrelid
    WHERE k.contype = 'f' AND owner.relnamespace = current_schema()::regnamespace
      AND owner.relname = ANY(:tables)
    ORDER BY owner.relname, k.conname""")
KEPT_WHILE_LOADING = ("audit_events",)
# Sorting for an index build in memory rather than on disk; for this transaction only.
BUILD_MEMORY = "512MB"


@dataclass
class SetAside:
    """What was taken away, as the statements that put it back."""

    indexes: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)

    @property
    def statements(self) -> list[str]:
        return self.indexes + self.foreign_keys


def set_aside(connection, tables) -> SetAside:
    """Drop the plain indexes and foreign keys of `tables` (nothing on other databases)."""
    held = SetAside()
    if connection.dialect.name != "postgresql":
        return held
    names, raw = list(tables), connection.connection.driver_connection
    for table, name, definition in connection.execute(FOREIGN_KEYS, {"tables": names}).all():
        held.foreign_keys.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        raw.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    later = [name for name in names if name not in KEPT_WHILE_LOADING]
    for name, definition in connection.execute(PLAIN_INDEXES, {"tables": later}).all():
        held.indexes.append(definition)
        raw.execute(f'DROP INDEX "{name}"')
    return held


def put_back(connection, held: SetAside, tick=lambda n: None) -> None:
    """Build the indexes again and check the foreign keys again; `tick(1)` after each."""
    if not held.statements:
        return
    raw = connection.connection.driver_connection  # the definitions are run as they are
    raw.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for statement in held.statements:
        try:
            raw.execute(statement)
        except psycopg.errors.IntegrityError as error:
            raise RuntimeError(f"The generated rows break a key ({statement}): {error}") from error
        tick(1)
