"""CSV export of one year of the whole group, as its manager: rows per second and peak memory
of the exporting process."""

import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from compliance.clock import local_today
from compliance.csvexport import LINES_BEFORE_ROWS
from compliance.extensions import db
from compliance.generator.run import PASSWORD
from compliance.models import User

EXPORT = "/reports/sessions.csv?date_from={start}&date_to={end}"


STATUS = Path("/proc/self/status")


def _kb(field: str) -> int:
    line = next(line for line in STATUS.read_text().splitlines() if line.startswith(field))
    return int(line.split()[1])


def reset_peak() -> bool:
    """Start the peak (VmHWM) afresh, so it is the export's own and not the sign-in's
    (a password hash briefly takes 19 MiB by design). Linux only; elsewhere the peak is the
    process's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_kb(reset: bool) -> int:
    return _kb("VmHWM:") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(app) -> dict:
    """Run in a process of its own, so its peak memory is the export's."""
    with app.app_context():
        end = local_today()
        start = end - timedelta(days=365)
        # The group's manager, who sees every location (D7): a year of the whole group.
        manager = db.session.scalar(select(User).where(User.role_names == "manager")
                                    .order_by(User.all_locations.desc(), User.id).limit(1))
        email = manager.email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    reset = reset_peak()
    before_kb = _kb("VmRSS:") if reset else peak_kb(reset)
    started = time.perf_counter()
    response = client.get(EXPORT.format(start=start.isoformat(), end=end.isoformat()),
                          buffered=False)
    rows = sum(chunk.count(b"\n") for chunk in response.response) - LINES_BEFORE_ROWS
    seconds = time.perf_counter() - started
    peak = peak_kb(reset)
    return {"status": response.status_code, "rows": rows,
            "rows_per_s": round(rows / seconds), "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak / 1024), "rss_before_mb": round(before_kb / 1024),
            "peak_measured": "during the export" if reset else "whole process",
            "python": sys.version.split()[0]}
