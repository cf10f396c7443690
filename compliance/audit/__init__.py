"""Audit trail pages for managers and inspectors."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from compliance.audit import routes  # noqa: E402,F401
