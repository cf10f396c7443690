"""Report PDFs (issue 17, item 3): seconds to build the session audit's and the audit trail's
PDF of about 500, 1,000 and 2,000 rows and of PDF_MAX_ROWS rows, through the view (count,
query, template, WeasyPrint), with the pages, the CPU seconds and the peak memory of each; and
what the view answers one day's rows past the limit.

The rows are the newest: a date range ending today, its start found by halving on the report's
own count, so a size is met to within one day's rows (about 100 sessions at full size). Run
in a process of its own (`bench.run` does), so that the peak memory is the PDFs'."""

import time
from datetime import date, timedelta
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import func, select

from bench.exports import peak_kb, reset_peak
from bench.pages import GROUP_MANAGER
from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator.run import PASSWORD
from compliance.models import AuditEvent, TreatmentSession, User
from compliance.services.reports import audit_trail, sessions
from compliance.services.reports.common import Filters, Listing

SIZES = (500, 1000, 2000)
FIRST_DAY = {"sessions": lambda: db.session.scalar(select(func.min(
                 TreatmentSession.session_date))),
             "audit": lambda: db.session.scalar(select(func.min(
                 AuditEvent.occurred_at))).date()}
COUNTS = {"sessions": lambda since: sessions.counts(Filters(date_from=since))[0],
          "audit": lambda since: audit_trail.report(
              Filters(date_from=since), Listing("seq", True)).count}


def since_for(report: str, rows: int) -> date:
    """The earliest day from which the report holds at most `rows` rows up to today."""
    early, late = FIRST_DAY[report](), local_today() + timedelta(days=1)
    while (late - early).days > 1:
        middle = early + (late - early) / 2
        if COUNTS[report](middle) > rows:
            early = middle
        else:
            late = middle
    return late


def _build(client, url: str) -> dict:
    reset = reset_peak()
    cpu, started = time.process_time(), time.perf_counter()
    response = client.get(url)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    made = response.data[:4] == b"%PDF"
    return {"status": response.status_code, "pdf": made,
            "pages": len(PdfReader(BytesIO(response.data)).pages) if made else None,
            "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "peak_rss_mb": round(peak_kb(reset) / 1024)}


def _measure_report(app, client, report: str) -> dict:
    limit = app.config["PDF_MAX_ROWS"]
    results = {}
    for label, rows, allowed in [*((f"{n} rows", n, max(n, limit)) for n in SIZES),
                                 ("at the limit", limit, limit)]:
        with app.app_context():
            since = since_for(report, rows)
            counted = COUNTS[report](since)
        app.config["PDF_MAX_ROWS"] = allowed
        results[label] = {"rows": counted, **_build(
            client, f"/reports/{report}.pdf?date_from={since.isoformat()}")}
    app.config["PDF_MAX_ROWS"] = limit
    return results


def _past_the_limit(app, client) -> dict:
    """One day's rows past the limit: refused before anything is laid out."""
    with app.app_context():
        since = since_for("sessions", app.config["PDF_MAX_ROWS"]) - timedelta(days=1)
        rows = COUNTS["sessions"](since)
    answer = _build(client, f"/reports/sessions.pdf?date_from={since.isoformat()}")
    return {"rows": rows, **answer}


def measure(app) -> dict:
    """As the group's manager, whose scope is every location, as the counts above are."""
    with app.app_context():
        email = db.session.scalar(select(User.email).where(User.full_name == GROUP_MANAGER))
        today = local_today()
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    # WeasyPrint's first start (Pango, fonts) is left out: a PDF of today's activity.
    client.get(f"/reports/activity.pdf?date_from={today.isoformat()}")
    return {"limit": app.config["PDF_MAX_ROWS"],
            "sessions": _measure_report(app, client, "sessions"),
            "audit": _measure_report(app, client, "audit"),
            "sessions past the limit": _past_the_limit(app, client)}
