"""Database engine behaviour shared by SQLite and PostgreSQL."""

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Hand transaction control to the "begin" hook below instead of pysqlite's own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_immediate(conn) -> None:
    # SQLite has one writer; taking the write lock at BEGIN makes concurrent requests
    # wait their turn instead of failing half-way, and serialises stock and audit writes.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def register(app: Flask) -> None:
    """Nothing app-specific yet: the listeners above are global to every engine."""
    app.extensions.setdefault("compliance.database", True)
