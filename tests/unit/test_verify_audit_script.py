"""scripts/verify_audit.py, the check anyone can run without the app, agrees with
`flask audit verify` on an intact trail and on each kind of tampering."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.extensions import db
from tests.audit_helpers import anchor, as_superuser, execute_raw, history, rewrite_event, verify

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_audit.py"


def standalone(url: str, keys: dict, cwd: Path) -> tuple[int, list[str], str]:
    """Run in isolated mode from another directory, so that the app cannot be imported."""
    result = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), url, "--anchors", str(keys["AUDIT_ANCHOR_LOG"]),
         "--public-key", str(keys["AUDIT_PUBLIC_KEY"])],
        capture_output=True, text=True, cwd=cwd, timeout=120)
    return result.returncode, result.stdout.splitlines(), result.stderr


def _truncate():
    execute_raw("TRUNCATE audit_events" if db.engine.dialect.name == "postgresql"
                else "DELETE FROM audit_events")


TAMPERINGS = {
    "intact": lambda: None,
    "an event changed": lambda: execute_raw(
        "UPDATE audit_events SET detail = 'edited' WHERE seq = 3"),
    "an event deleted": lambda: execute_raw("DELETE FROM audit_events WHERE seq = 4"),
    "the newest events deleted": lambda: execute_raw("DELETE FROM audit_events WHERE seq >= 8"),
    "every event deleted": _truncate,
    "history rewritten": lambda: rewrite_event(3, "quietly rewritten"),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_the_standalone_check_agrees_with_flask_audit_verify(app, users, runner, keys,
                                                             database_uri, tmp_path,
                                                             tampering):
    history(users)
    anchor(runner)
    history(users)
    anchor(runner)
    with as_superuser():
        TAMPERINGS[tampering]()
        code, lines, errors = standalone(database_uri, keys, tmp_path)
        assert (code, lines) == verify(runner), errors
    assert code == (0 if tampering == "intact" else 1)


def test_a_tampered_anchor_line_fails_in_both(app, users, runner, keys, database_uri,
                                              tmp_path):
    history(users)
    anchor(runner)
    log = keys["AUDIT_ANCHOR_LOG"]
    log.write_text(log.read_text().replace('"seq":', '"seq":1', 1))
    code, lines, _errors = standalone(database_uri, keys, tmp_path)
    assert (code, lines) == verify(runner) and code == 1
    assert lines[1] == f"BROKEN: anchor line 1 of {log} fails its signature"


def test_a_database_url_it_cannot_read_is_a_usage_error(tmp_path):
    keys_given = {"AUDIT_ANCHOR_LOG": tmp_path / "a", "AUDIT_PUBLIC_KEY": tmp_path / "k"}
    for url in ("mysql://x/y", f"sqlite:///{tmp_path}/none.db"):
        code, lines, errors = standalone(url, keys_given, tmp_path)
        assert code == 2 and not lines and len(errors.splitlines()) == 1


def _drop_newest_line(keys):
    log = keys["AUDIT_ANCHOR_LOG"]
    log.write_text("".join(log.read_text().splitlines(keepends=True)[:-1]))


def _remove_log_and_key(keys):
    keys["AUDIT_ANCHOR_LOG"].unlink()
    keys["AUDIT_PUBLIC_KEY"].unlink()


LOG_TAMPERINGS = {
    "the log and its key removed": (_remove_log_and_key,
                                    "there is no anchor log to hold them"),
    "the log emptied": (lambda keys: keys["AUDIT_ANCHOR_LOG"].write_text(""),
                        "lines removed or replaced"),
    "the newest line removed": (_drop_newest_line, "lines removed or replaced"),
}


@pytest.mark.parametrize("tampering", LOG_TAMPERINGS)
def test_anchors_the_trail_records_must_be_in_the_log(app, users, runner, keys, database_uri,
                                                      tmp_path, tampering):
    """Whoever can delete the log must not pass it off as a new installation's: each anchor
    is recorded on the trail too."""
    history(users)
    anchor(runner)
    second = anchor(runner)
    tamper, why = LOG_TAMPERINGS[tampering]
    tamper(keys)
    code, lines, errors = standalone(database_uri, keys, tmp_path)
    assert (code, lines) == verify(runner), errors
    lacking = 2 if tampering != "the newest line removed" else 1
    assert code == 1 and lines[1] == (
        f"BROKEN: the trail records {lacking} anchor(s) that the anchor log does not hold, "
        f"the newest of {second['time']}, seq {second['seq']} ({why})")


def test_a_database_without_an_audit_trail_is_one_line(tmp_path):
    keys_given = {"AUDIT_ANCHOR_LOG": tmp_path / "a", "AUDIT_PUBLIC_KEY": tmp_path / "k"}
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    (tmp_path / "text.db").write_text("not a database at all, but long enough to be read " * 4)
    for name, reason in [("other.db", "no such table: audit_events"),
                         ("text.db", "file is not a database")]:
        code, lines, errors = standalone(f"sqlite:///{tmp_path / name}", keys_given, tmp_path)
        assert (code, lines) == (2, [])
        assert errors.splitlines() == [f"ERROR: cannot read the audit trail: {reason}"]
