"""`flask audit replay` over every event and every audited row: events per second."""

import time

from compliance.services import audit_replay


def measure(app) -> dict:
    with app.app_context():
        started = time.perf_counter()
        result = audit_replay.replay()
        seconds = time.perf_counter() - started
    return {"ok": result.ok, "events": result.events, "rows": result.rows,
            "differences": len(result.differences), "seconds": round(seconds, 2),
            "events_per_s": round(result.events / seconds)}
