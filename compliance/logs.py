"""Logs as JSON lines, each carrying the id of the request it belongs to."""

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler, wsgi_errors_stream

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy in front is kept so that its log and ours join up, but only a short plain
# one: it is written into logs and headers as it is.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def request_id() -> str | None:
    """The current request's id (also the reference shown on an error page)."""
    return g.get("request_id") if has_request_context() else None


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request and any error."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        if has_request_context():
            line.update(request_id=request_id(), method=request.method, path=request.path)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def _take_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def _give_request_id(response):
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


def register(app: Flask) -> None:
    """JSON lines on the server's error stream (gunicorn's error log), and request ids."""
    app.logger.removeHandler(default_handler)
    # Every application of the process shares the logger (tests build several): one handler.
    if not any(isinstance(h.formatter, JsonLines) for h in app.logger.handlers):
        handler = logging.StreamHandler(wsgi_errors_stream)
        handler.setFormatter(JsonLines())
        app.logger.addHandler(handler)
    app.logger.setLevel(logging.INFO)
    app.before_request(_take_request_id)
    app.after_request(_give_request_id)
