"""The ceiling for write throughput: an endpoint of the same app that inserts one row in one
transaction. Registered only by bench/wsgi_bench.py, never in the application itself."""

from flask import Blueprint
from flask_login import current_user

from compliance.database import begin_write
from compliance.extensions import db
from compliance.forms import EmptyForm
from compliance.permissions import requires
from compliance.services.audit import actor_of, record_event

bp = Blueprint("bench", __name__)


@bp.route("/bench/insert-one", methods=["POST"])
@requires("use_app")
def insert_one():
    if not EmptyForm().validate_on_submit():
        return "bad token", 400
    begin_write(db.session)  # the app's own write path: the SQLite write lock at BEGIN
    record_event("bench", actor=actor_of(current_user), detail="one-row insert")
    db.session.commit()
    return "ok"
