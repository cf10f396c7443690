"""Checking the trail against every anchor of the anchor log: each line's signature, then the
stored hash at each anchored sequence number (one indexed lookup per anchor, never a scan)."""

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from compliance.database import rows_where_in
from compliance.extensions import db
from compliance.models import AuditEvent
from compliance.services.audit_anchors import (
    ANCHOR,
    AnchorError,
    files,
    fingerprint,
    signed_bytes,
)

# A log replaced wholesale fails on every line: name the first few, count the rest.
LISTED_SIGNATURE_FAILURES = 5


@dataclass(frozen=True)
class AnchorCheck:
    """How many anchors were checked, what failed, and what deserves a word though it passes
    (a new installation has no anchors yet)."""

    checked: int = 0
    problems: tuple[str, ...] = ()
    warning: str | None = None


def _failed(problem: str) -> AnchorCheck:
    return AnchorCheck(problems=(problem,))


def check(last_seq: int, of_a_copy: bool = False) -> AnchorCheck:
    """Check every anchor against a chain whose newest event is `last_seq`. A copy (a
    backup) may end before anchors made after it was taken: only those within it must hold.
    The trail records each anchor too, so a deleted or emptied log is no "new installation"."""
    paths, recorded = files(), recorded_anchors()
    if paths.log is None or paths.public_key is None:
        return _unanchored("WARNING: anchors are not configured (AUDIT_ANCHOR_LOG, "
                           "AUDIT_PUBLIC_KEY)", recorded)
    log_there, key_there = paths.log.exists(), paths.public_key.exists()
    if not (log_there or key_there):
        return _unanchored(f"WARNING: no anchors yet (no key, no anchor log at {paths.log}): "
                           "removed newest events cannot be detected", recorded)
    if not log_there:
        return _failed(f"ERROR: the anchor log {paths.log} is missing "
                       f"(its public key {paths.public_key} exists)")
    if not key_there:
        return _failed(f"ERROR: the public key {paths.public_key} is missing "
                       f"(the anchor log {paths.log} exists)")
    try:
        key = public_key(paths.public_key)
    except AnchorError as error:
        return _failed(f"ERROR: {error}")
    return _checked(paths.log, key, last_seq, of_a_copy, recorded)


def recorded_anchors() -> list[dict]:
    """The checkpoints the trail itself records, one `anchor` event each, oldest first."""
    found = []
    for changes in db.session.scalars(select(AuditEvent.changes)
                                      .where(AuditEvent.action == ANCHOR)
                                      .order_by(AuditEvent.seq)):
        try:
            checkpoint = json.loads(changes or "{}")
        except ValueError:
            checkpoint = {}
        found.append(checkpoint if isinstance(checkpoint, dict) else {})
    return found


def _unanchored(warning: str, recorded: list[dict]) -> AnchorCheck:
    """No anchors to read: a warning on a trail that never had any, a failure on one that
    records anchors (their log or key was removed)."""
    if not recorded:
        return AnchorCheck(warning=warning)
    return _failed(_lacking_message("there is no anchor log to hold them", recorded))


def _lacking_message(why: str, lacking: list[dict]) -> str:
    newest = lacking[-1]
    return (f"BROKEN: the trail records {len(lacking)} anchor(s) that the anchor log does not "
            f"hold, the newest of {newest.get('time')}, seq {newest.get('seq')} ({why})")


def missing_from_log(recorded: list[dict], anchors: list[dict], key: str) -> list[str]:
    """Anchors recorded on the trail with this key that no signed line of the log holds (a
    log cut short or replaced). Anchors of an earlier key belong to that key's own log."""
    in_log = {(anchor["seq"], anchor["head"]) for anchor in anchors}
    lacking = [checkpoint for checkpoint in recorded if checkpoint.get("key") == key
               and (checkpoint.get("seq"), checkpoint.get("head")) not in in_log]
    return [_lacking_message("lines removed or replaced", lacking)] if lacking else []


def public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError, OSError) as error:
        raise AnchorError(f"{path} is not a usable public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AnchorError(f"{path} is not an Ed25519 public key")
    return key


def _checked(log: Path, key: Ed25519PublicKey, last_seq: int, of_a_copy: bool,
             recorded: list[dict]) -> AnchorCheck:
    try:
        anchors, failures = read_signed(log, key)
    except OSError as error:
        return _failed(f"ERROR: cannot read the anchor log {log} ({error.strerror})")
    lacking = missing_from_log(recorded, anchors, fingerprint(key))
    if not anchors and not failures and not lacking:
        return AnchorCheck(warning=f"WARNING: no anchors yet in {log}: "
                                   "removed newest events cannot be detected")
    problems = failures[:LISTED_SIGNATURE_FAILURES]
    if len(failures) > LISTED_SIGNATURE_FAILURES:
        problems.append(f"BROKEN: {len(failures) - LISTED_SIGNATURE_FAILURES} more anchor "
                        f"lines of {log} fail their signature")
    problems += lacking + against_chain(anchors, last_seq, of_a_copy)
    return AnchorCheck(len(anchors) + len(failures), tuple(problems))


def _well_formed(line) -> bool:
    return (isinstance(line, dict) and type(line.get("seq")) is int
            and type(line.get("events")) is int
            and all(isinstance(line.get(name), str) for name in ("head", "time", "key",
                                                                 "signature")))


def _signed(text: str, key: Ed25519PublicKey, key_fingerprint: str) -> dict | None:
    """The anchor on this line if its signature holds, else None."""
    try:
        line = json.loads(text)
        if not _well_formed(line) or line["key"] != key_fingerprint:
            return None
        key.verify(bytes.fromhex(line["signature"]), signed_bytes(line))
    except (ValueError, InvalidSignature):
        return None
    return line


def read_signed(log: Path, key: Ed25519PublicKey) -> tuple[list[dict], list[str]]:
    """The anchors whose signature holds, and a problem for each line whose does not."""
    anchors, failures, key_fingerprint = [], [], fingerprint(key)
    with log.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            line = _signed(text, key, key_fingerprint)
            if line is None:
                failures.append(f"BROKEN: anchor line {number} of {log} fails its signature")
            else:
                anchors.append(line)
    return anchors, failures


def stored_hashes(seqs: list[int]) -> dict[int, str]:
    return dict(rows_where_in(select(AuditEvent.seq, AuditEvent.hash), AuditEvent.seq, seqs))


def against_chain(anchors: list[dict], last_seq: int, of_a_copy: bool = False) -> list[str]:
    """The newest anchor beyond the chain's end, and the oldest whose hash the chain no
    longer has: the narrowest bounds on what was removed or rewritten."""
    problems = [] if of_a_copy else _beyond_the_end(anchors, last_seq)
    within = [anchor for anchor in anchors if 0 < anchor["seq"] <= last_seq]
    stored = stored_hashes(sorted({anchor["seq"] for anchor in within}))
    rewritten = [anchor for anchor in within if stored.get(anchor["seq"]) != anchor["head"]]
    if rewritten:
        oldest = min(rewritten, key=lambda anchor: anchor["seq"])
        problems.append(f"BROKEN: history rewritten before {oldest['seq']} "
                        f"(anchor of {oldest['time']})")
    return problems


def _beyond_the_end(anchors: list[dict], last_seq: int) -> list[str]:
    beyond = [anchor for anchor in anchors if anchor["seq"] > last_seq]
    if not beyond:
        return []
    newest = max(beyond, key=lambda anchor: anchor["seq"])
    return [f"BROKEN: events after {last_seq} removed "
            f"(anchor of {newest['time']}, seq {newest['seq']})"]
