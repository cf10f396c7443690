"""A location's storage areas: add one, change one, deactivate one."""

from flask import render_template, url_for
from flask_login import current_user

from compliance.extensions import db
from compliance.locations_admin import bp
from compliance.locations_admin.forms import AreaForm, DeactivateForm, EditAreaForm
from compliance.locations_admin.routes import kept_as_it_was, seen_location
from compliance.models.location import StorageArea
from compliance.permissions import requires
from compliance.services import storage_areas
from compliance.views import run_form


def _location_page(area: StorageArea) -> str:
    return url_for("locations.edit", location_id=area.location_id)


@bp.route("/locations/<int:location_id>/storage-areas/new", methods=["GET", "POST"])
@requires("edit_location")
def area_new(location_id: int):
    location = seen_location(location_id)
    if not location.active:
        return kept_as_it_was(location)
    form = AreaForm()
    return run_form(
        form, lambda: storage_areas.add_storage_area(current_user, location.id, form.details()),
        success=lambda area: f"Storage area {area.name} added to {location.name}.",
        to=_location_page,
    ) or render_template("locations/area_form.html", form=form, location=location, area=None)


def _seen_area(storage_area_id: int) -> StorageArea:
    area = db.get_or_404(StorageArea, storage_area_id)
    seen_location(area.location_id)
    return area


def _area_page(area: StorageArea, form: EditAreaForm, deactivate_form: DeactivateForm):
    return render_template("locations/area_form.html", form=form, location=area.location,
                           area=area, deactivate_form=deactivate_form)


@bp.route("/locations/storage-areas/<int:storage_area_id>", methods=["GET", "POST"])
@requires("edit_location")
def area_edit(storage_area_id: int):
    area = _seen_area(storage_area_id)
    if not (area.active and area.location.active):
        return kept_as_it_was(area if not area.active else area.location)
    form = EditAreaForm(obj=area)
    return run_form(
        form, lambda: storage_areas.update_storage_area(current_user, area.id, form.details(),
                                                        form.reason.data),
        success=lambda changed: f"Storage area {changed.name} updated.", to=_location_page,
    ) or _area_page(area, form, DeactivateForm(prefix="deactivate"))


@bp.route("/locations/storage-areas/<int:storage_area_id>/deactivate", methods=["POST"])
@requires("edit_location")
def area_deactivate(storage_area_id: int):
    area = _seen_area(storage_area_id)
    if not (area.active and area.location.active):
        return kept_as_it_was(area if not area.active else area.location)
    form = DeactivateForm(prefix="deactivate")
    return run_form(
        form, lambda: storage_areas.deactivate_storage_area(current_user, area.id,
                                                            form.reason.data),
        success=lambda closed: f"Storage area {closed.name} deactivated.", to=_location_page,
        invalid="Give a reason for deactivating the storage area.",
    ) or _area_page(area, EditAreaForm(obj=area), form)
