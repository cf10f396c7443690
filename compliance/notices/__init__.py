"""The managers' notices: a preview of the daily mail."""

from flask import Blueprint

bp = Blueprint("notices", __name__)

from compliance.notices import routes  # noqa: E402,F401
