"""Treatment sessions at the chair: open, inject, sign off; follow-ups; a prescriber's day."""

from flask import Blueprint

bp = Blueprint("treatment", __name__)

from compliance.treatment import follow_up_routes, routes  # noqa: E402,F401
