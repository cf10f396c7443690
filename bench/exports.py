"""CSV export of one year: rows per second and peak memory of the exporting process."""

import resource
import sys
import time
from datetime import timedelta

from sqlalchemy import select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator.run import PASSWORD
from compliance.models import User

EXPORT = "/reports/sessions.csv?date_from={start}&date_to={end}"


def measure(app) -> dict:
    """Run in a process of its own, so its peak memory is the export's."""
    with app.app_context():
        end = local_today()
        start = end - timedelta(days=365)
        manager = db.session.scalar(select(User).where(User.role_names == "manager").limit(1))
        email = manager.email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(EXPORT.format(start=start.isoformat(), end=end.isoformat()),
                          buffered=False)
    rows = sum(chunk.count(b"\n") for chunk in response.response) - 1
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"status": response.status_code, "rows": rows,
            "rows_per_s": round(rows / seconds), "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak_kb / 1024), "rss_before_mb": round(before_kb / 1024),
            "python": sys.version.split()[0]}
