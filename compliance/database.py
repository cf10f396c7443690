"""Database engine behaviour shared by SQLite and PostgreSQL."""

import os
import sqlite3
from contextvars import ContextVar

from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import String, Text, any_, create_engine, event, literal, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from compliance.dbsession import (
    end_transaction_keeping_values,
    stop_reading_replica,
    unwrapped,
)
from compliance.extensions import db
from compliance.settings import setting

_next_begin_writes: ContextVar[bool] = ContextVar("next_begin_writes", default=False)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Hand transaction control to the "begin" hook below instead of pysqlite's own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _configure_postgresql(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    # PostgreSQL compiles a plan with JIT when its estimated cost is high, whatever it really
    # costs: the scoped audit trail's query (a LIMIT 50 over an index, 60 ms) spent 5 s
    # compiling 589 functions at 1M injections. Pages run short queries; JIT never pays here.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


@event.listens_for(Engine, "begin")
def _begin(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    # SQLite has one writer. A writing transaction takes the write lock at BEGIN, so that
    # concurrent writers queue instead of failing half-way; readers stay deferred and free.
    if _next_begin_writes.get():
        _next_begin_writes.set(False)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def begin_write(session) -> None:
    """Start the session's writing transaction: on SQLite, end any read snapshot and take the
    write lock at once; on PostgreSQL row locks (SELECT ... FOR UPDATE) do this job. A write
    reads what it checks from the primary, never from the reports' replica."""
    stop_reading_replica(session)
    session = unwrapped(session)
    if session.get_bind().dialect.name != "sqlite" or session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    # Keep loaded values: the audit trail needs them as the "before" of each change.
    end_transaction_keeping_values(session)
    _next_begin_writes.set(True)



def read_snapshot(session) -> None:
    """Let the statements that follow see one moment, so a report's totals agree with its
    rows. A SQLite read transaction already is one snapshot; PostgreSQL's READ COMMITTED gives
    every statement its own, so a REPEATABLE READ transaction is started (read-only work)."""
    session = unwrapped(session)
    if session.get_bind().dialect.name != "postgresql":
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


# Values in one IN (...) list: a database limits a statement's parameters (SQLite's to 32,766).
IN_SLICE = 500


def on_postgresql() -> bool:
    """Whether the session's database is PostgreSQL (else SQLite)."""
    return db.session.get_bind().dialect.name == "postgresql"


def one_of(column, values):
    """The condition that `column` is one of `values`. On PostgreSQL one array parameter: an
    IN list of thousands was as many parameters to render and for the driver to parse (about
    30 ms of a group's month of exceptions); elsewhere an IN list, which the caller keeps
    within the database's limit on parameters (as `rows_where_in` does)."""
    values = list(values)
    if on_postgresql():
        # Text, not the column's VARCHAR(n): a longer value cast to it would be cut short,
        # and then match a key it only begins with.
        element = Text() if isinstance(column.type, String) else column.type
        return column == any_(literal(values, postgresql.ARRAY(element)))
    return column.in_(values)


def rows_where_in(query, column, values: list):
    """The rows of `query` whose `column` is one of `values`: in one statement on
    PostgreSQL, else IN_SLICE values at a time."""
    if on_postgresql():
        yield from db.session.execute(query.where(one_of(column, values)))
        return
    for start in range(0, len(values), IN_SLICE):
        yield from db.session.execute(query.where(column.in_(values[start:start + IN_SLICE])))


def insert_for(bind):
    """The dialect's own INSERT (for ON CONFLICT) for a session or connection's database."""
    bind = bind.get_bind() if hasattr(bind, "get_bind") else bind
    return (postgresql if bind.dialect.name == "postgresql" else sqlite).insert


_PER_TRANSACTION: list[str] = []


def per_transaction(key: str) -> str:
    """Name a `session.info` key that holds what belongs to the current transaction only
    (events or sums to write at commit): it is dropped when the transaction ends."""
    _PER_TRANSACTION.append(key)
    return key


@event.listens_for(FlaskSession, "after_commit")
@event.listens_for(FlaskSession, "after_rollback")
@event.listens_for(FlaskSession, "after_soft_rollback")
def _drop_per_transaction(session, *_args) -> None:
    for key in _PER_TRANSACTION:
        session.info.pop(key, None)


@event.listens_for(FlaskSession, "after_transaction_end")
def _drop_at_close(session, transaction) -> None:
    # A close() ends the transaction without a rollback event; a flush's own inner
    # transaction (which has a parent) must not drop what is queued.
    if transaction.parent is None:
        _drop_per_transaction(session)


def migration_engine() -> Engine:
    """The engine of migrations and `flask db grants`: the owner role's, from
    MIGRATION_DATABASE_URL, or the app's own engine when that setting is unset."""
    url = setting("MIGRATION_DATABASE_URL")
    if not url:
        return db.engine
    url = make_url(url)
    # As Flask-SQLAlchemy does for DATABASE_URL: a relative SQLite path is in the instance folder.
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not os.path.isabs(url.database):
        url = url.set(database=os.path.join(current_app.instance_path, url.database))
    # A command's one connection: nothing should stay pooled under the owner's name.
    return create_engine(url, poolclass=NullPool)
