"""The provider's locations: the list, a new location, one location's details and its
deactivation. A location the user may not see is not found (D7)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from compliance import locations
from compliance.extensions import db
from compliance.locations_admin import bp
from compliance.locations_admin.forms import (
    FIRST_AREA,
    DeactivateForm,
    EditLocationForm,
    NewLocationForm,
)
from compliance.models.location import Location
from compliance.permissions import requires
from compliance.services import location_admin, location_queries
from compliance.views import run_form

INDEX = "locations.index"


def seen_location(location_id: int) -> Location:
    """The location, if `current_user` may see it; else not found, never forbidden (D7)."""
    location = db.get_or_404(Location, location_id)
    if not locations.can_see(current_user, location.id):
        abort(404)
    return location


def kept_as_it_was(location: Location):
    flash(f"{location.name} was deactivated: it is kept as it was and no longer changed.",
          "info")
    return redirect(url_for(INDEX))


@bp.route("/locations/")
@requires("view_locations")
def index():
    shown = location_queries.visible_locations(current_user)
    return render_template("locations/index.html", locations=shown,
                           deactivations=location_queries.deactivations_of(shown))


@bp.route("/locations/new", methods=["GET", "POST"])
@requires("create_location")
def new():
    form = NewLocationForm(data=FIRST_AREA)
    return run_form(
        form, lambda: location_admin.create_location(current_user, form.details(),
                                                     form.first_area()),
        success=lambda location: f"Location {location.name} added.", to=url_for(INDEX),
    ) or render_template("locations/location_form.html", form=form, location=None)


def _edit_page(location: Location, form: EditLocationForm, deactivate_form: DeactivateForm):
    return render_template("locations/location_form.html", form=form, location=location,
                           deactivate_form=deactivate_form)


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@requires("edit_location")
def edit(location_id: int):
    location = seen_location(location_id)
    if not location.active:
        return kept_as_it_was(location)
    form = EditLocationForm(obj=location)
    return run_form(
        form, lambda: location_admin.update_location(current_user, location.id, form.details(),
                                                     form.reason.data),
        success=lambda changed: f"Location {changed.name} updated.", to=url_for(INDEX),
    ) or _edit_page(location, form, DeactivateForm(prefix="deactivate"))


@bp.route("/locations/<int:location_id>/deactivate", methods=["POST"])
@requires("create_location")
def deactivate(location_id: int):
    location = seen_location(location_id)
    if not location.active:
        return kept_as_it_was(location)
    form = DeactivateForm(prefix="deactivate")
    return run_form(
        form, lambda: location_admin.deactivate_location(current_user, location.id,
                                                         form.reason.data),
        success=lambda closed: f"Location {closed.name} deactivated.", to=url_for(INDEX),
        invalid="Give a reason for deactivating the location.",
    ) or _edit_page(location, EditLocationForm(obj=location), form)
