"""gunicorn settings for production: `.venv/bin/gunicorn --config gunicorn.conf.py wsgi:app`.

Environment: WEB_CONCURRENCY (workers), GUNICORN_THREADS (threads per worker),
GUNICORN_CMD_ARGS (e.g. "--bind 127.0.0.1:8001")."""

import gc
import json
import os

from gunicorn import glogging

# Behind the TLS proxy on the same machine; never exposed directly.
bind = "127.0.0.1:8000"
# Each worker is a process; a sign-in's argon2id hash takes 19 MiB for a moment.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 9)))
# Threads in each worker (gthread): the worker's own loop tells the master it is alive while
# a request runs, so a long streamed CSV is not cut off (a year of a national provider's
# sessions took 124 s to stream; a sync worker is killed at its timeout mid-file).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker silent this long is restarted (a report PDF is refused above PDF_MAX_ROWS well
# before it).
timeout = 120
graceful_timeout = 30
# The application is imported once, before workers fork: a configuration error stops the
# master with its one line, and workers start faster.
preload_app = True
# Both to standard output/error: journald keeps them under systemd.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = ('{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
                     '"status": "%(s)s", "bytes": "%(B)s", "duration_ms": %(M)s, '
                     '"request_id": "%({x-request-id}o)s"}')


class JsonAtoms(glogging.SafeAtoms):
    """Values escaped as JSON string contents (gunicorn's own escapes only double quotes)."""

    def __init__(self, atoms):
        dict.__init__(self, {key: json.dumps(value)[1:-1] if isinstance(value, str) else value
                             for key, value in atoms.items()})


class JsonAccessLogger(glogging.Logger):
    atoms_wrapper_class = JsonAtoms


logger_class = JsonAccessLogger


def pre_fork(server, worker):
    """The application loaded in the master is left out of the workers' garbage collections:
    a full collection walked its 180,000 objects and added up to 250 ms to a national
    provider's heaviest pages. Collected first, so no garbage is kept for good."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """Every worker opens its own database connections, none inherited from the master."""
    from compliance.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
