"""The daily notice as it would be sent now."""

from flask import render_template

from compliance import scope
from compliance.notices import bp
from compliance.permissions import requires
from compliance.services import notices


@bp.route("/preview")
@requires("receive_notices")
def preview():
    return render_template("notices/preview.html",
                           notice=notices.daily(location_ids=scope.visible_ids()))
