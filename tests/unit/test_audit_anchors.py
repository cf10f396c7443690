"""Anchors (D6): the chain's head signed with a key outside the database, so that removing the
newest events, all of them, or rewriting history and recomputing every hash is detected."""

import json
import stat
from pathlib import Path

import pytest

from compliance.extensions import db
from compliance.services import audit, audit_verify
from tests.audit_helpers import (
    anchor,
    as_superuser,
    events,
    execute_raw,
    history,
    rewrite_event,
    verify,
)


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(runner,
                                                                              keys):
    assert stat.S_IMODE(keys["AUDIT_SIGNING_KEY"].stat().st_mode) == 0o600
    assert keys["AUDIT_PUBLIC_KEY"].read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert keys["AUDIT_ANCHOR_LOG"].read_text() == ""
    before = keys["AUDIT_SIGNING_KEY"].read_bytes()
    again = runner.invoke(args=["audit", "keygen"])
    assert again.exit_code == 1 and len(again.output.splitlines()) == 1
    assert "already exists" in again.output and "Traceback" not in again.output
    assert keys["AUDIT_SIGNING_KEY"].read_bytes() == before


def test_keygen_that_cannot_write_the_public_key_keeps_no_private_key(app, runner,
                                                                      anchor_files, tmp_path):
    blocking = tmp_path / "not-a-directory"
    blocking.write_text("")
    app.config["AUDIT_PUBLIC_KEY"] = str(blocking / "key.pub.pem")
    result = runner.invoke(args=["audit", "keygen"])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1, result.output
    assert "cannot write" in result.output and "no file was kept" in result.output
    assert not any(Path(anchor_files[name]).exists()
                   for name in ("AUDIT_SIGNING_KEY", "AUDIT_ANCHOR_LOG"))


def test_an_anchor_is_a_signed_line_of_the_head_and_an_event_after_it(app, users, runner,
                                                                      keys):
    history(users)
    seq, head_hash = audit.head()
    checkpoint = anchor(runner)
    [line] = [json.loads(text) for text in keys["AUDIT_ANCHOR_LOG"].read_text().splitlines()]
    assert line["seq"] == line["events"] == seq and line["head"] == head_hash
    assert {name: line[name] for name in checkpoint} == checkpoint
    assert events(action="anchor")[-1].seq == seq + 1  # the next anchor covers it
    code, lines = verify(runner)
    assert code == 0 and lines[1] == "OK, 1 anchors checked"
    recorded = audit_verify.last_recorded().verification
    assert recorded.ok and recorded.anchors == 1


def test_removing_the_newest_anchored_events_is_named_with_the_anchor(app, users, runner,
                                                                      keys):
    history(users)
    checkpoint = anchor(runner)
    seq = checkpoint["seq"]
    with as_superuser():
        execute_raw("DELETE FROM audit_events WHERE seq >= :seq", seq=seq)
        code, lines = verify(runner)
    assert code == 1
    assert lines[0].startswith(f"OK, {seq - 1} events")  # the chain alone looks whole
    assert lines[1] == (f"BROKEN: events after {seq - 1} removed "
                        f"(anchor of {checkpoint['time']}, seq {seq})")
    recorded = audit_verify.last_recorded().verification
    assert not recorded.ok and recorded.anchors == 1 and recorded.anchor_problems == (lines[1],)


def test_emptying_the_trail_is_named_with_the_anchor(app, users, runner, keys):
    history(users)
    checkpoint = anchor(runner)
    with as_superuser():
        execute_raw("TRUNCATE audit_events" if db.engine.dialect.name == "postgresql"
                    else "DELETE FROM audit_events")
        code, lines = verify(runner)
    assert code == 1 and lines[0].startswith("OK, 0 events")
    assert lines[1] == (f"BROKEN: events after 0 removed (anchor of {checkpoint['time']}, "
                        f"seq {checkpoint['seq']})")


def test_history_rewritten_before_an_anchor_is_caught_though_the_chain_verifies(app, users,
                                                                                runner, keys):
    history(users)
    first = anchor(runner)
    history(users)
    second = anchor(runner)
    with as_superuser():
        rewrite_event(3, "quietly rewritten")
        code, lines = verify(runner)
    assert code == 1 and lines[0].startswith("OK, ")
    assert lines[1:] == [f"BROKEN: history rewritten before {first['seq']} "
                         f"(anchor of {first['time']})"]
    assert second["seq"] > first["seq"]


def test_a_tampered_anchor_line_fails_its_signature(app, users, runner, keys):
    history(users)
    anchor(runner)
    log = keys["AUDIT_ANCHOR_LOG"]
    line = json.loads(log.read_text())
    line["seq"] -= 1  # an earlier head, as if the removed events had never been anchored
    log.write_text(json.dumps(line) + "\n")
    code, lines = verify(runner)
    assert code == 1 and lines[1] == f"BROKEN: anchor line 1 of {log} fails its signature"


def test_anchoring_without_a_key_is_a_one_line_error(app, runner):
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert "no signing key" in result.output and "flask audit keygen" in result.output
    assert not events(action="anchor")


@pytest.mark.parametrize("missing, error", [
    ("AUDIT_ANCHOR_LOG", "ERROR: the anchor log {AUDIT_ANCHOR_LOG} is missing "
                         "(its public key {AUDIT_PUBLIC_KEY} exists)"),
    ("AUDIT_PUBLIC_KEY", "ERROR: the public key {AUDIT_PUBLIC_KEY} is missing "
                         "(the anchor log {AUDIT_ANCHOR_LOG} exists)"),
])
def test_a_missing_anchor_log_or_public_key_fails_verification_in_one_line(app, users, runner,
                                                                           keys, missing,
                                                                           error):
    anchor(runner)
    keys[missing].unlink()
    code, lines = verify(runner)
    assert code == 1 and lines[1:] == [error.format(**keys)]
    assert not audit_verify.last_recorded().verification.ok


def test_a_missing_anchor_log_is_not_begun_again_by_anchoring(app, users, runner, keys):
    keys["AUDIT_ANCHOR_LOG"].unlink()
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert "is missing: restore it" in result.output
    assert not keys["AUDIT_ANCHOR_LOG"].exists()


def test_an_empty_anchor_log_passes_with_a_warning(app, users, runner, keys):
    code, lines = verify(runner)
    assert code == 0 and lines[1].startswith("WARNING: no anchors yet in ")


def test_a_replaced_anchor_log_names_its_first_failing_lines_and_counts_the_rest(app, users,
                                                                                 runner, keys):
    anchor(runner)
    log = keys["AUDIT_ANCHOR_LOG"]
    forged = json.loads(log.read_text()) | {"signature": "00" * 64}
    log.write_text("".join(json.dumps(forged | {"seq": n}) + "\n" for n in range(1, 8)))
    code, lines = verify(runner)
    assert code == 1 and len(lines) == 1 + 7
    assert lines[5] == f"BROKEN: anchor line 5 of {log} fails its signature"
    assert lines[6] == f"BROKEN: 2 more anchor lines of {log} fail their signature"
    # and the anchor the trail records is in none of the forged lines
    assert lines[7].startswith("BROKEN: the trail records 1 anchor(s) that the anchor log")


def test_an_anchor_log_that_cannot_be_read_is_an_error_not_a_crash(app, users, runner, keys,
                                                                   client, login, tmp_path):
    app.config["AUDIT_ANCHOR_LOG"] = str(tmp_path)  # a folder where the log should be
    code, lines = verify(runner)
    assert code == 1
    assert lines[1] == f"ERROR: cannot read the anchor log {tmp_path} (Is a directory)"
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert "cannot write to the anchor log" in result.output
    login(users["inspector"])
    response = client.get("/reports/audit")
    assert response.status_code == 200 and "unreadable (Is a directory)" in response.get_data(
        as_text=True)
