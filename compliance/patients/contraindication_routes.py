"""The contraindications asked at screening: a manager adds and deactivates them."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from compliance.errors import DomainError
from compliance.extensions import db
from compliance.forms import ReasonForm, show_domain_error
from compliance.models import Contraindication
from compliance.patients import bp
from compliance.patients.forms import ContraindicationForm
from compliance.permissions import requires
from compliance.services import screening


@bp.route("/contraindications/", methods=["GET", "POST"])
@requires("manage_contraindications")
def contraindications():
    form = ContraindicationForm()
    if form.validate_on_submit():
        try:
            item = screening.add_contraindication(current_user, form.name.data,
                                                  form.question.data, form.source.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(f"{item.name} added to the screening questions.", "success")
            return redirect(url_for("patients.contraindications"))
    return render_template("patients/contraindications.html", form=form,
                           items=screening.all_contraindications())


@bp.route("/contraindications/<int:contraindication_id>/active", methods=["POST"])
@requires("manage_contraindications")
def contraindication_active(contraindication_id: int):
    item = db.get_or_404(Contraindication, contraindication_id)
    form = ReasonForm(prefix="active")
    if not form.validate_on_submit():
        flash("Give a reason for the change.", "error")
        return redirect(url_for("patients.contraindications"))
    try:
        screening.set_contraindication_active(current_user, item, not item.active,
                                              form.reason.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{item.name} is {'asked again' if item.active else 'no longer asked'} "
              "at screening.", "success")
    return redirect(url_for("patients.contraindications"))
