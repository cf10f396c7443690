"""The health check, for load balancers and monitoring."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from compliance.health import routes  # noqa: E402,F401
