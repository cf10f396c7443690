"""Sign-in, sign-out and password change."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from compliance.auth import routes  # noqa: E402,F401
