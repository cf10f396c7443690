"""Where a backup's bytes come from and go to: SQLite through its online backup API,
PostgreSQL through pg_dump and pg_restore (custom format)."""

import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

SQLITE, POSTGRES = "sqlite", "postgresql"
SUFFIXES = {SQLITE: "sqlite3", POSTGRES: "pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go on, said in one line."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict]:
    """The URL as pg_dump takes it, and an environment carrying the password (kept out of
    the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, *args: str, url: URL) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (it comes with the PostgreSQL client).")
    libpq_url, env = _libpq(url)
    try:
        done = subprocess.run([tool, *args, f"--dbname={libpq_url}"], env=env,
                              capture_output=True, text=True, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        raise BackupError(f"{tool} could not run: {error}") from error
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        raise BackupError(f"{tool} failed: {lines[0]}")


def dump(engine: Engine, target: Path, read_facts: Callable):
    """Copy the database into `target`; returns `read_facts` of exactly what was copied."""
    if engine.dialect.name == SQLITE:
        with engine.connect() as connection:
            destination = sqlite3.connect(target)
            try:
                connection.connection.driver_connection.backup(destination)
            finally:
                destination.close()
        return facts_of_file(target, read_facts)
    # One snapshot for both: what the manifest says is what pg_dump writes, even while
    # others keep writing.
    with (engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
          connection.begin()):
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        facts = read_facts(connection)
        _run("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target.resolve()}",
             url=engine.url)
    return facts


def facts_of_file(path: Path, read_facts: Callable):
    """`read_facts` of an SQLite file, left afterwards as one self-contained file."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            facts = read_facts(connection)
    finally:
        engine.dispose()
    plain = sqlite3.connect(path)
    try:
        plain.execute("PRAGMA journal_mode=DELETE")
    finally:
        plain.close()
    return facts


def _admin(engine: Engine) -> Engine:
    return create_engine(engine.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def scratch_copy(engine: Engine, kind: str, backup: Path) -> Iterator[str]:
    """The backup restored into a database of its own, dropped afterwards; yields its URL."""
    if kind == SQLITE:
        with tempfile.TemporaryDirectory(prefix="backup-verify-") as directory:
            copy = Path(directory) / "scratch.db"
            shutil.copyfile(backup, copy)
            yield f"sqlite:///{copy}"
        return
    if engine.dialect.name != POSTGRES:
        raise BackupError("This is a PostgreSQL backup: verify it with DATABASE_URL naming a "
                          "PostgreSQL server.")
    with temporary_database(engine) as url:
        _pg_restore(backup, make_url(url))
        yield url


@contextmanager
def temporary_database(engine: Engine, purpose: str = "scratch") -> Iterator[str]:
    """A new, empty PostgreSQL database beside the configured one, dropped at the end."""
    name = f"{engine.url.database}_{purpose}_{secrets.token_hex(4)}"[-63:]
    admin = _admin(engine)
    quoted = admin.dialect.identifier_preparer.quote(name)
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {quoted}"))
        try:
            yield engine.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
    finally:
        admin.dispose()


def refuse_unless_empty(engine: Engine) -> None:
    """A restore writes a whole database: into one that already has tables it would mix or
    collide with what is there."""
    tables = inspect(engine).get_table_names()
    if "users" in tables:
        with engine.connect() as connection:
            users = connection.scalar(text("SELECT count(*) FROM users"))
        if users:
            raise BackupError(f"Refused: this database already holds {users} user account(s); "
                              "restore only into a new, empty database.")
    if tables:
        raise BackupError(f"Refused: this database already has {len(tables)} table(s); restore "
                          "only into a new, empty database (before any flask db upgrade).")


def restore(engine: Engine, kind: str, backup: Path) -> None:
    """Copy the backup into the configured database, which must be empty."""
    if kind != engine.dialect.name:
        raise BackupError(f"This is a {kind} backup; the configured database is "
                          f"{engine.dialect.name}.")
    refuse_unless_empty(engine)
    if kind == SQLITE:
        source, destination = sqlite3.connect(backup), sqlite3.connect(
            _sqlite_path(engine.url))
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
    else:
        _pg_restore(backup, engine.url)
    engine.dispose()


def _pg_restore(backup: Path, url: URL) -> None:
    # --no-owner: the restored objects belong to the role restoring (the owner's, never the
    # app's). An absolute path: a file name starting with "-" would be taken for an option.
    _run("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
         str(backup.resolve()), url=url)
