"""The signed-in home page."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from compliance.main import routes  # noqa: E402,F401
