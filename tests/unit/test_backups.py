"""Backups (D8): a restore drill on the database in use, and the refusals around it."""

import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, update

from compliance.extensions import db
from compliance.models import AuditEvent, Batch, User
from compliance.services import audit, backup_stores, backups, stock
from tests.conftest import build_app


@contextmanager
def empty_database(tmp_path: Path):
    """A new database with no tables, beside the one in use (dropped afterwards on PG)."""
    if db.engine.dialect.name == "postgresql":
        with backup_stores.temporary_database(db.engine, "fresh") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"


@contextmanager
def inside(url: str):
    """An application bound to another database, its context pushed."""
    other = build_app(url, {})
    with other.app_context():
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()


def balances() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        select(*(getattr(Batch, name) for name in backups.BALANCE_COLUMNS)).order_by(Batch.id))]


def take_backup(runner, directory: Path) -> Path:
    result = runner.invoke(args=["backup", "create", "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    [backup] = [path for path in directory.iterdir() if not path.name.endswith(".json")]
    return backup


@pytest.fixture
def stocked(clinic):
    stock.adjust(clinic["manager"], clinic["batch"].id, -2, "two ampoules found cracked")
    return clinic


def test_restore_drill_gives_the_same_balances_and_audit_head(runner, stocked, tmp_path):
    before_head, before_balances = audit.head(), balances()
    backup = take_backup(runner, tmp_path)
    manifest = json.loads(backups.manifest_path(backup).read_text())
    assert (manifest["head_seq"], manifest["head_hash"]) == before_head
    # The backup itself is on the trail, after the head it copied.
    recorded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "backup")).one()
    assert recorded.seq == before_head[0] + 1 and backup.name in recorded.detail

    verified = runner.invoke(args=["backup", "verify", str(backup)])
    assert verified.exit_code == 0 and verified.output.startswith("OK"), verified.output
    with empty_database(tmp_path) as url, inside(url) as fresh:
        restored = fresh.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
        assert restored.exit_code == 0, restored.output
        assert audit.head() == before_head
        assert balances() == before_balances and before_balances
        assert backups.checks_against(backups.read_manifest(backup)) == []


def test_a_corrupted_backup_fails_verification(runner, stocked, tmp_path):
    backup = take_backup(runner, tmp_path)
    content = bytearray(backup.read_bytes())
    content[len(content) // 2] ^= 0xFF
    backup.write_bytes(bytes(content))
    result = runner.invoke(args=["backup", "verify", str(backup)])
    assert result.exit_code == 1
    assert "does not match the SHA-256 in its manifest" in result.output


def test_a_backup_whose_balances_disagree_with_the_ledger_fails_verification(
        runner, stocked, tmp_path):
    db.session.execute(update(Batch).where(Batch.id == stocked["batch"].id)
                       .values(balance_ul=Batch.balance_ul - 1000))
    db.session.commit()
    label = str(stocked["batch"])
    backup = take_backup(runner, tmp_path)
    result = runner.invoke(args=["backup", "verify", str(backup)])
    assert result.exit_code == 1
    assert f"PROBLEM stock: {label} holds" in result.output


def test_a_manifest_that_disagrees_with_the_copy_fails_verification(runner, stocked, tmp_path):
    backup = take_backup(runner, tmp_path)
    path = backups.manifest_path(backup)
    manifest = json.loads(path.read_text())
    manifest["head_seq"] += 1
    path.write_text(json.dumps(manifest))
    result = runner.invoke(args=["backup", "verify", str(backup)])
    assert result.exit_code == 1
    assert f"PROBLEM head_seq: the manifest says {manifest['head_seq']}" in result.output


def test_restore_refuses_a_database_that_holds_accounts(runner, stocked, tmp_path):
    backup = take_backup(runner, tmp_path)
    head = audit.head()
    result = runner.invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: Refused: this database already holds 4 user account(s); restore only into a "
        "new, empty database."]
    assert audit.head() == head


def test_restore_refuses_a_migrated_database_without_rows_in_it(runner, stocked, tmp_path):
    backup = take_backup(runner, tmp_path)
    db.session.remove()
    with empty_database(tmp_path) as url, inside(url) as fresh:
        from flask_migrate import upgrade

        upgrade()
        result = fresh.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
        assert result.exit_code == 1 and "already has" in result.output
        assert db.session.scalar(select(AuditEvent.seq).limit(1)) is None


def test_restore_and_verify_name_a_missing_manifest_in_one_line(runner, tmp_path):
    stray = tmp_path / "stray.sqlite3"
    stray.write_bytes(b"not a backup")
    for command in ("verify", "restore"):
        result = runner.invoke(args=["backup", command, str(stray)])
        assert result.exit_code == 1
        assert "No manifest beside the backup (stray.sqlite3.json)" in result.output
        assert "Traceback" not in result.output


def test_a_backup_is_checked_against_the_anchors_made_before_it_not_after(runner, stocked,
                                                                          keys, tmp_path):
    manager_id, batch = stocked["manager"].id, stocked["batch"].id
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    (tmp_path / "backups").mkdir()
    backup = take_backup(runner, tmp_path / "backups")
    # Anchored after the backup was taken: the copy ends before it, and that is no removal.
    stock.adjust(db.session.get(User, manager_id), batch, -1, "one more cracked")
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    result = runner.invoke(args=["backup", "verify", str(backup)])
    assert result.exit_code == 0 and result.output.startswith("OK"), result.output


def test_a_failed_dump_leaves_nothing_in_the_backup_directory(runner, stocked, tmp_path,
                                                              monkeypatch):
    def failing_dump(engine, target, read_facts):
        target.write_bytes(b"half a dump")
        raise backup_stores.BackupError("pg_dump failed: connection lost")

    monkeypatch.setattr(backup_stores, "dump", failing_dump)
    result = runner.invoke(args=["backup", "create", "--dir", str(tmp_path)])
    assert result.output.strip() == "Error: pg_dump failed: connection lost"
    assert list(tmp_path.iterdir()) == []


def test_a_backup_whose_name_starts_with_a_dash_is_a_file_not_an_option(runner, stocked,
                                                                        tmp_path, monkeypatch):
    backup = take_backup(runner, tmp_path)
    dashed = backup.with_name("-" + backup.name)
    backup.rename(dashed)
    backups.manifest_path(backup).rename(backups.manifest_path(dashed))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=["backup", "verify", "--", dashed.name])
    assert result.exit_code == 0 and result.output.startswith("OK"), result.output


def test_a_backup_of_another_schema_is_refused_in_one_line(runner, stocked, tmp_path):
    backup = take_backup(runner, tmp_path)
    manifest = backups.manifest_path(backup)
    manifest.write_text(manifest.read_text().replace(
        json.loads(manifest.read_text())["alembic_revision"], "0000older000"))
    result = runner.invoke(args=["backup", "verify", str(backup)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "schema is at revision 0000older000" in result.output
