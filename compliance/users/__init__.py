"""User accounts, managed by clinic managers."""

from flask import Blueprint

bp = Blueprint("users", __name__)

from compliance.users import routes  # noqa: E402,F401
