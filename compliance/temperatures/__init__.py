"""Storage temperatures (D7): readings per storage area, typed in or imported from a data
logger's file, their chart against the area's range, and quarantine after an excursion."""

from flask import Blueprint

bp = Blueprint("temperatures", __name__)

from compliance.temperatures import import_routes, routes  # noqa: E402,F401
