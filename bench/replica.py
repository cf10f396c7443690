"""Reports on a replica under load (issue 17): the group manager's one-month reports over HTTP
against gunicorn while 8 clients record sessions (bench/writes.py), first with every read on
the primary, then with REPORTS_DATABASE_URL naming a local streaming replica
(scripts/replica.sh, port 5433). PostgreSQL only. The replica is started for this part and
stopped after if it was not running before (its replay would otherwise share the cores with
the other parts). Every report page says where it was read from; the replica's figures count
only the pages that were read from it, and say how many fell back and how far behind it was."""

import re
import subprocess
import threading
import time

from sqlalchemy import make_url, select

from bench import pages, writes
from bench.client import Browser
from bench.common import WARMUP, percentile, summary
from compliance.clock import local_today
from compliance.extensions import db
from compliance.generator.run import PASSWORD
from compliance.models import User

REPLICA_PORT = 5433
SCRIPT = writes.ROOT / "scripts" / "replica.sh"
SOURCE = re.compile(r'id="report-source">Reports read from the (replica|primary database)'
                    r'(?:, ([\d.]+) s behind)?')


def _replica(command: str) -> int:
    return subprocess.run([str(SCRIPT), command], capture_output=True, text=True).returncode


def _read(base: str, email: str, urls: dict[str, str], stop: threading.Event,
          samples: list) -> None:
    """Open the reports in turn until the writers are done: (report, ms, source, lag)."""
    browser = Browser(base)
    browser.sign_in(email, PASSWORD)
    for _ in range(WARMUP):  # a replica just started reads from a cold cache
        for url in urls.values():
            browser.get(url)
    while not stop.is_set():
        for name, url in urls.items():
            started = time.perf_counter()
            html = browser.get(url)
            ms = (time.perf_counter() - started) * 1000
            found = SOURCE.search(html)
            source, lag = (found.group(1), found.group(2)) if found else ("primary", None)
            samples.append((name, ms, source, float(lag) if lag else None))


def _phase(app, url: str, reports_url: str, reader: tuple[str, dict]) -> dict:
    """Reports read while 8 clients record sessions; REPORTS_DATABASE_URL is `reports_url`
    ("" for none)."""
    emails, patients = writes.prepare(app)
    with app.app_context():
        day = local_today().isoformat()
    process, base = writes.start_gunicorn(url, {"REPORTS_DATABASE_URL": reports_url})
    samples, stop = [], threading.Event()
    thread = threading.Thread(target=_read, args=(base, *reader, stop, samples))
    try:
        thread.start()
        recorded = writes.sessions(base, emails, patients, day)
    finally:
        stop.set()
        thread.join()
        process.terminate()
        process.wait(timeout=30)
    return _figures(samples, recorded, expected="replica" if reports_url else "primary")


def _per_report(samples: list) -> dict:
    names = dict.fromkeys(s[0] for s in samples)
    return {name: summary([s[1] for s in samples if s[0] == name]) for name in names}


def _lags(samples: list) -> dict | None:
    lags = [s[3] for s in samples if s[3] is not None]
    return {"median": percentile(lags, 0.5), "max": max(lags)} if lags else None


def _figures(samples: list, recorded: dict, expected: str) -> dict:
    read_there = [s for s in samples if s[2].startswith(expected)]
    return {"reports": summary([s[1] for s in read_there]) if read_there else None,
            "per_report": _per_report(read_there), "lag_s": _lags(read_there),
            "pages_read_elsewhere": len(samples) - len(read_there),
            "writers_sessions_per_s": recorded["sessions_per_s"],
            "writers_recorded_posts_per_s": recorded["recorded_posts_per_s"],
            "writer_errors": recorded["error_count"]}


def _reader(app) -> tuple[str, dict]:
    with app.app_context():
        email = db.session.scalar(select(User.email).where(
            User.full_name == pages.GROUP_MANAGER))
        return email, pages.group_reports()


def measure(app, url: str) -> dict:
    if not url.startswith("postgresql"):
        return {"skipped": "a streaming replica is PostgreSQL's"}
    was_running = _replica("status") == 0
    if _replica("start") != 0:
        raise RuntimeError("scripts/replica.sh start failed")
    reader = _reader(app)
    replica_url = make_url(url).set(port=REPLICA_PORT).render_as_string(hide_password=False)
    try:
        return {"primary": _phase(app, url, "", reader),
                "replica": _phase(app, url, replica_url, reader)}
    finally:
        if not was_running:
            _replica("stop")
