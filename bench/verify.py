"""`flask audit verify` over every event (as the command runs it: one process per core), checked
against an anchor log of a nightly anchor for 11 years: events per second; and how long
`flask audit anchor` takes at this size."""

import tempfile
import time
from pathlib import Path

from flask import current_app

from compliance.services import audit_anchor_check, audit_anchors, audit_verify

# A nightly anchor for the 11 years records are kept.
ANCHORS = 11 * 366
ANCHOR_SETTINGS = ("AUDIT_SIGNING_KEY", "AUDIT_PUBLIC_KEY", "AUDIT_ANCHOR_LOG")


def _anchor_history(last_seq: int) -> None:
    """Signed anchors of events spread evenly over the chain, as nightly anchors would be."""
    key = audit_anchors.signing_key()
    step = max(1, last_seq // ANCHORS)
    seqs = list(range(step, last_seq + 1, step))[-ANCHORS:]
    hashes = audit_anchor_check.stored_hashes(seqs)
    lines = (audit_anchors.signed_line(key, seq, hashes[seq], "2026-01-01T02:00:00Z")[1]
             for seq in seqs)
    log = Path(current_app.config["AUDIT_ANCHOR_LOG"])
    # The anchor just made stays in the log: the trail records it, and verification holds
    # every recorded anchor to its line.
    log.write_text("".join(lines) + log.read_text())


def _timed(work) -> tuple[object, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def measure(app) -> dict:
    saved = {name: app.config[name] for name in ANCHOR_SETTINGS}
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        app.config.update({name: str(Path(folder) / name.lower()) for name in ANCHOR_SETTINGS})
        try:
            audit_anchors.keygen()
            checkpoint, anchor_seconds = _timed(audit_anchors.anchor)
            _anchor_history(checkpoint["seq"])
            result, seconds = _timed(lambda: audit_verify.verify(
                processes=audit_verify.cpu_count()))
        finally:
            app.config.update(saved)
    return {"ok": result.ok, "processes": audit_verify.cpu_count(), "events": result.count,
            "anchors": result.anchors, "seconds": round(seconds, 2),
            "events_per_s": round(result.count / seconds),
            "anchor_seconds": round(anchor_seconds, 3)}
