"""Home: what this user can do today."""

from flask import current_app, render_template, send_from_directory

from compliance.main import bp
from compliance.permissions import public, requires


@bp.route("/")
@requires("use_app")
def home():
    return render_template("main/home.html")


@bp.route("/favicon.ico")
@public
def favicon():
    """The icon that browsers, and tools that ignore the page's <link rel="icon">, ask the
    site's root for (otherwise a 404 on every visit)."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
