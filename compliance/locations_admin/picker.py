"""The current location in the header: shown to every signed-in user, chosen by someone who
works at more than one (D7)."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from compliance import locations
from compliance.locations_admin import bp
from compliance.locations_admin.forms import ChooseLocationForm
from compliance.permissions import requires
from compliance.security import safe_next


@bp.app_context_processor
def header_location() -> dict:
    if not current_user.is_authenticated:
        return {}
    return {"header_locations": locations.working_locations(current_user),
            "current_location": locations.current_location(current_user)}


@bp.route("/location", methods=["POST"])
@requires("use_app")
def choose():
    """Make a location the current one of this session, then back to the page it was
    chosen on."""
    form = ChooseLocationForm()
    back = safe_next(request.form.get("next")) or url_for("main.home")
    if form.validate_on_submit() and locations.choose(current_user, form.location_id.data):
        flash(f"You are working at {locations.current_location(current_user).name} now.",
              "success")
    else:
        flash("Choose one of the locations you work at.", "error")
    return redirect(back)
