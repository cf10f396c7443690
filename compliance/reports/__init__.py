"""Compliance reports (D5) for managers and inspectors: on screen, CSV, PDF and charts."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from compliance.reports import review_routes, routes  # noqa: E402,F401
