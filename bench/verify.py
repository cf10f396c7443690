"""`flask audit verify` over every event (as the command runs it: one process per core):
events per second."""

import time

from compliance.services import audit_verify


def measure(app) -> dict:
    with app.app_context():
        started = time.perf_counter()
        result = audit_verify.verify(processes=audit_verify.cpu_count())
        seconds = time.perf_counter() - started
    return {"ok": result.ok, "processes": audit_verify.cpu_count(), "events": result.count,
            "seconds": round(seconds, 2), "events_per_s": round(result.count / seconds)}
