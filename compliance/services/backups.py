"""Backups taken, checked and restored with the product's own commands (D8): a file, a
manifest beside it, and a check of a restored copy (audit chain, balances) before it is
trusted."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from compliance.clock import utcnow
from compliance.database import migration_engine
from compliance.extensions import db
from compliance.models import AuditEvent, Batch
from compliance.services import (
    audit_verify,
    backup_stores,
    health,
    stock_check,
    stock_months,
    stock_queries,
)
from compliance.services.audit import GENESIS
from compliance.services.backup_stores import SUFFIXES, BackupError
from compliance.services.unit_of_work import record_alone
from compliance.settings import setting

BACKUP = "backup"
BALANCE_COLUMNS = ("id", "balance_ul", "sealed_containers", *stock_queries.KEPT)


@dataclass(frozen=True)
class Facts:
    """What a copy of the database must still say to be the same database."""

    head_seq: int
    head_hash: str
    event_count: int
    balances_sha256: str
    alembic_revision: str | None


@dataclass(frozen=True)
class Manifest(Facts):
    created_at: str
    database: str
    file: str
    file_sha256: str


def balances_checksum(connection) -> str:
    """A stable hash over every batch's balance, sealed containers and kept totals."""
    digest = hashlib.sha256()
    columns = [getattr(Batch, name) for name in BALANCE_COLUMNS]
    for row in connection.execute(select(*columns).order_by(Batch.id)):
        digest.update((",".join(str(value) for value in row) + "\n").encode())
    return digest.hexdigest()


def read_facts(connection) -> Facts:
    last = connection.execute(select(AuditEvent.seq, AuditEvent.hash)
                              .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return Facts(head_seq=last.seq if last else 0, head_hash=last.hash if last else GENESIS,
                 event_count=connection.scalar(select(func.count()).select_from(AuditEvent)),
                 balances_sha256=balances_checksum(connection),
                 alembic_revision=connection.scalar(text("SELECT version_num FROM "
                                                         "alembic_version")))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def read_manifest(backup: Path) -> Manifest:
    if not backup.is_file():
        raise BackupError(f"No backup file at {backup}.")
    try:
        return Manifest(**json.loads(manifest_path(backup).read_text()))
    except FileNotFoundError:
        raise BackupError(
            f"No manifest beside the backup ({manifest_path(backup).name}).") from None
    except (ValueError, TypeError) as error:
        raise BackupError(
            f"The manifest {manifest_path(backup).name} is unreadable: {error}") from error


@contextmanager
def owner_engine() -> Iterator[Engine]:
    """The engine of the role that owns the tables (MIGRATION_DATABASE_URL): it dumps every
    table, may create the scratch database, and owns what it restores. The app's role may do
    none of these. A database error ends the command in one line."""
    engine = migration_engine()
    try:
        yield engine
    except SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).strip().splitlines() or ["no message"]
        raise BackupError(f"Database error: {cause[0]}") from error
    finally:
        if engine is not db.engine:
            engine.dispose()


def create(directory: Path | None = None) -> Manifest:
    """Write a backup and its manifest into `directory` (default: the BACKUP_DIR setting),
    and record it on the audit trail."""
    directory = Path(directory or setting("BACKUP_DIR"))
    directory.mkdir(parents=True, exist_ok=True)
    kind, now = db.engine.dialect.name, utcnow()
    target = directory / f"compliance-{now:%Y%m%dT%H%M%S%fZ}.{SUFFIXES[kind]}"
    # Written under another name first: a file named like a backup is always a whole one.
    partial = target.with_name(target.name + ".partial")
    db.session.remove()
    try:
        with owner_engine() as engine:
            facts = backup_stores.dump(engine, partial, read_facts)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    manifest = Manifest(**asdict(facts), created_at=now.isoformat(), database=kind,
                        file=target.name, file_sha256=file_sha256(target))
    manifest_path(target).write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True))
    record_alone(None, BACKUP, detail=f"backup {target.name} at event {facts.head_seq}",
                 changes=asdict(manifest))
    return manifest


def _hash_checked(backup: Path) -> Manifest:
    manifest = read_manifest(backup)
    if file_sha256(backup) != manifest.file_sha256:
        raise BackupError(f"{backup.name} does not match the SHA-256 in its manifest: the file "
                          "is damaged or was changed.")
    return manifest


def verify(backup: Path) -> list[str]:
    """Restore the backup into a scratch database and check it there; returns the problems
    found (none: the backup can be trusted)."""
    try:
        manifest = _hash_checked(backup)
        _same_schema(manifest)
    except BackupError as error:
        return [str(error)]
    with owner_engine() as engine, \
            backup_stores.scratch_copy(engine, manifest.database, backup) as url:
        return _check_elsewhere(url, manifest)


def _same_schema(manifest: Manifest) -> None:
    """The checks read the copy through this release's models: a copy of another schema
    would fail in them, not in the backup."""
    heads = health.migration_heads(current_app.extensions["migrate"].directory)
    if manifest.alembic_revision not in heads:
        raise BackupError(
            f"This backup's schema is at revision {manifest.alembic_revision}, this release's "
            f"at {', '.join(sorted(heads))}: verify it with the release that made it, or "
            "restore it into an empty database and run flask db upgrade.")


def _check_elsewhere(url: str, manifest: Manifest) -> list[str]:
    """Run the checks in an application bound to the scratch database, so that every query
    the checks reuse reads the copy, not the live database."""
    from compliance import create_app

    settings = {name: value for name, value in current_app.config.items() if name.isupper()}
    scratch = create_app(type("ScratchConfig", (), {**settings,
                                                    "SQLALCHEMY_DATABASE_URI": url}))
    with scratch.app_context():
        try:
            return checks_against(manifest)
        finally:
            db.session.remove()
            db.engine.dispose()


def chain_problems() -> list[str]:
    """The audit chain of the database in use, as `flask audit verify` checks it, and every
    anchor made before the copy was taken."""
    result = audit_verify.verify(of_a_copy=True)
    return [] if result.ok else [f"audit chain: {result.summary()}"]


def checks_against(manifest: Manifest) -> list[str]:
    """The audit chain, `flask stock check`, and the manifest's facts, on the database in use."""
    problems = chain_problems()
    problems += [f"stock: {m.batch} holds {m.batch.balance_ul} ul / {m.batch.sealed_containers}"
                 f" sealed, its ledger {m.ledger_ul} ul / {m.ledger_containers} sealed"
                 for m in stock_queries.balance_mismatches()]
    problems += [f"stock: monthly sum of {month}" for month in stock_months.mismatches()]
    problems += [f"stock: {problem}" for problem in stock_check.problems()]
    found = asdict(read_facts(db.session.connection()))
    problems += [f"{name}: the manifest says {getattr(manifest, name)}, the copy {value}"
                 for name, value in found.items() if getattr(manifest, name) != value]
    return problems


def restore(backup: Path) -> Manifest:
    """Restore the backup into the configured database, which must be empty."""
    manifest = _hash_checked(backup)
    db.session.remove()
    with owner_engine() as engine:
        backup_stores.restore(engine, manifest.database, backup)
    return manifest
