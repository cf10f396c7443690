"""Importing a data logger's file: upload, preview (bad lines listed by number), confirm."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from compliance.permissions import requires
from compliance.query import query_id
from compliance.rules.temperature import degrees, out_of_range
from compliance.services import temperature_imports
from compliance.services import temperature_queries as queries
from compliance.services.logger_files import MAX_FILE_BYTES
from compliance.temperatures import bp
from compliance.temperatures.forms import ConfirmImportForm, UploadForm
from compliance.views import run_form

# Readings shown at each end of a long preview (every bad line is always shown).
SHOWN_AT_EACH_END = 50


@bp.route("/import", methods=["GET", "POST"])
@requires("import_temperatures")
def upload():
    areas = queries.areas_here(current_user)
    form = UploadForm(areas)
    if not form.is_submitted():
        form.storage_area_id.data = query_id("area")

    def action():
        sent = form.file.data
        return temperature_imports.upload(current_user, form.storage_area_id.data,
                                          sent.filename, sent.read(MAX_FILE_BYTES + 1))

    return run_form(
        form, action, success="File read: check the preview, then import the readings.",
        to=lambda made: url_for("temperatures.preview", token=made.token),
        invalid="Choose the storage area and the file.",
    ) or render_template("temperatures/upload.html", form=form, areas=areas)


def _render_preview(shown, form: ConfirmImportForm):
    rows = shown.file.rows
    ends = (rows if len(rows) <= 2 * SHOWN_AT_EACH_END
            else rows[:SHOWN_AT_EACH_END] + [None] + rows[-SHOWN_AT_EACH_END:])
    area = shown.area
    outside = sum(1 for row in rows
                  if out_of_range(row.temperature_c, area.min_temp_c, area.max_temp_c))
    return render_template("temperatures/preview.html", shown=shown, area=area, form=form,
                           ends=ends, outside=outside, degrees=degrees,
                           out_of_range=out_of_range)


@bp.route("/imports/<token>")
@requires("import_temperatures")
def preview(token: str):
    shown = temperature_imports.preview(current_user, token) or abort(404)
    form = ConfirmImportForm(file_sha256=shown.upload.sha256, digest=shown.digest)
    return _render_preview(shown, form)


@bp.route("/imports/<token>/confirm", methods=["POST"])
@requires("import_temperatures")
def confirm(token: str):
    found = temperature_imports.find_upload(current_user, token) or abort(404)
    area_id, file_name = found.storage_area_id, found.file_name
    form = ConfirmImportForm()
    done = run_form(
        form, lambda: temperature_imports.confirm(current_user, token, form.file_sha256.data,
                                                  form.digest.data),
        success=lambda count: f"{count:,} readings imported from {file_name}.",
        to=url_for("temperatures.area", area_id=area_id))
    if done is not None:
        return done
    shown = temperature_imports.preview(current_user, token)
    if shown is None:
        flash("Upload the file again.", "error")
        return redirect(url_for("temperatures.upload"))
    # The preview as it is now, to be confirmed afresh.
    return _render_preview(shown, ConfirmImportForm(formdata=None, file_sha256=shown.upload.sha256,
                                                    digest=shown.digest))
