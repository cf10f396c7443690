"""The HTTP error pages: friendly pages (or JSON) for every error, never a stack trace."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from compliance.extensions import db
from compliance.logs import request_id
from compliance.query import BadQuery

ERROR_TITLES = {
    400: "The request could not be understood",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not available here",
    413: "The upload is too large",
    500: "Something went wrong",
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" or request.is_json


def _render_error(code: int, detail: str | None = None, reference: str | None = None):
    title = ERROR_TITLES.get(code, "Error")
    if _wants_json():
        return jsonify(error=title, detail=detail, reference=reference), code
    return render_template("errors/error.html", code=code, title=title, detail=detail,
                           reference=reference), code


def register_error_pages(app: Flask) -> None:
    """Friendly pages for HTTP errors; never a stack trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render_error(400, "The form had expired or was not sent from this site. "
                                  "Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render_error(error.code or 500,
                             error.description if isinstance(error, BadQuery) else None)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        # The request id finds the logged error's line: the user quotes it, we search for it.
        return _render_error(500, "The error has been logged. Nothing was saved.",
                             request_id())
