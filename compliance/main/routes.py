"""Home: what this user can do today."""

from flask import render_template

from compliance.main import bp
from compliance.permissions import requires


@bp.route("/")
@requires("use_app")
def home():
    return render_template("main/home.html")
