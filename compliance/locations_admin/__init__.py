"""Locations and storage areas (D7), managed by managers; and the current location each
signed-in user picks in the header."""

from flask import Blueprint

bp = Blueprint("locations", __name__)

from compliance.locations_admin import area_routes, picker, routes  # noqa: E402,F401
