"""Compliance reports (D5) for managers and inspectors: on screen, CSV, PDF and charts."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from compliance.reports import routes  # noqa: E402,F401
