"""Test databases: migrated once per run, then reset cheaply for every test."""

import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from functools import cache
from itertools import count
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from compliance import create_app
from compliance.models import Contraindication, Location, Sclerosant, StorageArea
from compliance.seeds import (
    FIRST_LOCATION,
    FIRST_STORAGE_AREA,
    contraindication_rows,
    sclerosant_rows,
)
from config import TestingConfig

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
USING_POSTGRES = POSTGRES_URL.startswith("postgresql")
# Under pytest-xdist each worker process has a database of its own on the same server, named
# after DATABASE_URL's (test_gw0, test_gw1...); the environment says so too, for the commands
# tests start.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
SHARED_POSTGRES_URL = POSTGRES_URL
if USING_POSTGRES and _WORKER:
    _shared = make_url(POSTGRES_URL)
    POSTGRES_URL = os.environ["DATABASE_URL"] = _shared.set(
        database=f"{_shared.database}_{_WORKER}").render_as_string(hide_password=False)


def config_for(uri: str, **overrides) -> type:
    """A TestingConfig bound to one database."""
    return type("BoundTestingConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": uri,
                                                        **overrides})


def migrate(uri: str) -> None:
    app = create_app(config_for(uri))
    with app.app_context():
        upgrade()
        from compliance.extensions import db

        db.engine.dispose()


# SQLite syncs every commit to disk and so, by default, does PostgreSQL: a few milliseconds
# each, more than most tests' own work. The tests' databases are thrown away, so they keep
# their files in memory (/dev/shm) and PostgreSQL's commits do not wait for the disk; what a
# transaction sees, locks and commits is the same.
MEMORY = Path("/dev/shm")
# Where `save` keeps the rows of every table on PostgreSQL: beside the public schema, which
# the migrations and the app see alone.
SAVED_SCHEMA = "saved_for_tests"
_saved_files = count(1)


@contextmanager
def memory_folder(fallback: Path):
    """A folder in memory, removed afterwards; `fallback` where there is no /dev/shm."""
    if not (MEMORY.is_dir() and os.access(MEMORY, os.W_OK)):
        yield fallback
        return
    folder = Path(tempfile.mkdtemp(prefix="compliance-tests-", dir=MEMORY))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _create_worker_database(uri: str) -> None:
    """The worker's own database, made on DATABASE_URL's server if it is not there yet."""
    name = make_url(uri).database
    engine = create_engine(SHARED_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                           {"name": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def reset_postgres_schema(uri: str) -> None:
    """The public schema empty, no saved one (`save`), commits not waiting for the disk."""
    if uri != SHARED_POSTGRES_URL:
        _create_worker_database(uri)
    engine = create_engine(uri)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SAVED_SCHEMA} CASCADE"))
        conn.execute(text(f'ALTER DATABASE "{make_url(uri).database}" '
                          "SET synchronous_commit = off"))
    engine.dispose()


# Emptying every table by DELETE costs a few milliseconds where TRUNCATE costs tens: in
# replica mode no trigger fires, neither the append-only ones nor the foreign keys' checks.
EMPTY_TABLES = "SET LOCAL session_replication_role = replica; {deletes}"
RESTART_SEQUENCES = text(
    "SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, "
    "false) FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL")


@cache
def _postgres(uri: str) -> tuple[Engine, list[str]]:
    """One engine for the whole run, and the tables the migrations made."""
    engine = create_engine(uri)
    return engine, [t for t in inspect(engine).get_table_names() if t != "alembic_version"]


def _emptying(uri: str, then=lambda table: "") -> tuple[Engine, str]:
    """The engine, and the statement that empties every table, each followed by `then`."""
    engine, tables = _postgres(uri)
    return engine, EMPTY_TABLES.format(deletes="".join(f"DELETE FROM {t};{then(t)}"
                                                       for t in tables))


def empty_postgres(uri: str) -> None:
    """Every table empty, every sequence restarted and the seeded rows back, as migrated."""
    engine, empty_tables = _emptying(uri)
    with engine.begin() as conn:
        conn.exec_driver_sql(empty_tables)
        conn.execute(RESTART_SEQUENCES)
        conn.execute(Contraindication.__table__.insert(), contraindication_rows())
        conn.execute(Sclerosant.__table__.insert(), sclerosant_rows())
        conn.execute(Location.__table__.insert(), [FIRST_LOCATION])
        conn.execute(StorageArea.__table__.insert(), [FIRST_STORAGE_AREA])
        conn.execute(text("SELECT setval('locations_id_seq', 1), "
                          "setval('storage_areas_id_seq', 1)"))


def prepare_template(directory: Path) -> str:
    """Migrate a database once; returns what `fresh_database` copies or resets."""
    if USING_POSTGRES:
        reset_postgres_schema(POSTGRES_URL)
        migrate(POSTGRES_URL)
        return POSTGRES_URL
    path = directory / "template.db"
    migrate(f"sqlite:///{path}")
    return str(path)


def fresh_database(template: str, directory: Path) -> str:
    """A database URI with the migrated schema and no rows, or with the rows `save` saved
    when given what it returned."""
    if USING_POSTGRES:
        (restore_postgres if template == SAVED_SCHEMA else empty_postgres)(POSTGRES_URL)
        return POSTGRES_URL
    path = directory / "test.db"
    # Unlinked rather than overwritten: a connection a test leaked keeps the old file.
    for leftover in (path, path.with_name("test.db-wal"), path.with_name("test.db-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def save(uri: str, directory: Path) -> str:
    """The database as it stands, kept as a template for `fresh_database`."""
    if USING_POSTGRES:
        save_postgres(uri)
        return SAVED_SCHEMA
    path = directory / f"saved-{next(_saved_files)}.db"
    source, copy = sqlite3.connect(make_url(uri).database), sqlite3.connect(path)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return str(path)


def drop_saved(saved: str) -> None:
    if saved != SAVED_SCHEMA:
        Path(saved).unlink(missing_ok=True)
        return
    engine, _tables = _postgres(POSTGRES_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SAVED_SCHEMA} CASCADE")


def save_postgres(uri: str) -> None:
    engine, tables = _postgres(uri)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SAVED_SCHEMA} CASCADE; "
                             f"CREATE SCHEMA {SAVED_SCHEMA}")
        for table in tables:
            conn.exec_driver_sql(f"CREATE TABLE {SAVED_SCHEMA}.{table} AS TABLE {table}")
        conn.exec_driver_sql(f"CREATE TABLE {SAVED_SCHEMA}.sequences AS SELECT sequencename, "
                             "last_value FROM pg_sequences WHERE schemaname = current_schema()")


def restore_postgres(uri: str) -> None:
    """Every table as `save_postgres` left it, every sequence where it stood; no trigger
    fires, as none did when emptying."""
    engine, empty_then_copy = _emptying(
        uri, lambda table: f"INSERT INTO {table} TABLE {SAVED_SCHEMA}.{table};")
    with engine.begin() as conn:
        conn.exec_driver_sql(empty_then_copy)
        conn.execute(RESTART_SEQUENCES)
        conn.exec_driver_sql(f"SELECT setval(quote_ident(sequencename), last_value) "
                             f"FROM {SAVED_SCHEMA}.sequences WHERE last_value IS NOT NULL")
