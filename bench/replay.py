"""`flask audit replay` over every event and every audited row: events per second."""

import resource
import time

from compliance.services import audit_replay


def measure(app) -> dict:
    with app.app_context():
        started = time.perf_counter()
        result = audit_replay.replay()
        seconds = time.perf_counter() - started
    return {"ok": result.ok, "events": result.events, "rows": result.rows,
            "differences": len(result.differences), "passes": result.passes,
            "seconds": round(seconds, 2), "events_per_s": round(result.events / seconds),
            "peak_mb": _peak_mb()}


def _peak_mb() -> dict:
    """The largest resident size of this process, and of any one process it forked."""
    return {whose: round(resource.getrusage(who).ru_maxrss / 1024)
            for whose, who in (("self", resource.RUSAGE_SELF),
                               ("child", resource.RUSAGE_CHILDREN))}
