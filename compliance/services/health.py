"""The health check's facts: the database answers, its schema is at the migrations' head and
the audit trail was verified lately. Nothing personal: no names, no records."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from compliance.clock import utcnow
from compliance.extensions import db
from compliance.services import audit_verify
from compliance.settings import setting


@dataclass
class Health:
    """What /healthz answers; `problems` empty means healthy."""

    database: str = "unreachable"
    migrations: str = "unknown"
    last_verification: dict | None = None
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"status": "failing" if self.problems else "ok", "database": self.database,
                "migrations": self.migrations, "last_verification": self.last_verification,
                "problems": self.problems}


@lru_cache(maxsize=4)
def migration_heads(directory: str) -> frozenset[str]:
    """The revisions the code expects; read from the scripts once per process."""
    return frozenset(ScriptDirectory(directory).get_heads())


def _applied_revisions() -> frozenset[str]:
    try:
        return frozenset(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        db.session.rollback()  # no alembic_version table: nothing migrated yet
        return frozenset()


def _check_migrations(health: Health) -> None:
    applied = _applied_revisions()
    expected = migration_heads(current_app.extensions["migrate"].directory)
    health.migrations = "at head" if applied == expected else "not at head"
    if applied != expected:
        health.problems.append("the database schema is not at the migrations' head: "
                               "run `flask db upgrade`")


def _check_verification(health: Health) -> None:
    last = audit_verify.last_recorded()
    if last is None:
        return  # a new installation: its first nightly verification has not run yet
    age = utcnow() - last.at
    health.last_verification = {"at": last.at.isoformat(), "ok": last.verification.ok,
                                "age_seconds": int(age.total_seconds())}
    if not last.verification.ok:
        health.problems.append("the last verification found the audit trail broken")
    if age > timedelta(hours=setting("VERIFICATION_MAX_AGE_HOURS")):
        health.problems.append("the last verification is older than "
                               f"{setting('VERIFICATION_MAX_AGE_HOURS')} hours")


def check() -> Health:
    """Every fact of the health check; a database error is a problem, never an exception."""
    health = Health()
    try:
        db.session.execute(text("SELECT 1"))
        health.database = "ok"
        _check_migrations(health)
        if health.migrations == "at head":
            _check_verification(health)
    except SQLAlchemyError as error:
        db.session.rollback()
        health.problems.append(f"database: {type(error).__name__}")
    return health
