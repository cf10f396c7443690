"""Sign-in (with its second factor), sign-out and password change."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from compliance.auth import routes, second_factor_routes  # noqa: E402,F401
