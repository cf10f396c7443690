"""Patient pages: register, screen, consent, consult and prescribe (D3)."""

from flask import Blueprint

bp = Blueprint("patients", __name__)

from compliance.patients import (  # noqa: E402,F401
    clinical_routes,
    contraindication_routes,
    prescription_routes,
    routes,
)
