"""GET /healthz: JSON, 200 when healthy, 503 otherwise; open to anyone, so nothing personal."""

from flask import jsonify

from compliance.health import bp
from compliance.permissions import public
from compliance.services import health


@bp.route("/healthz")
@public
def healthz():
    found = health.check()
    return jsonify(found.as_json()), 503 if found.problems else 200
