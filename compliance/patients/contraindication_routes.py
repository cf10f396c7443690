"""The contraindications asked at screening: a manager adds and deactivates them."""

from flask import redirect, render_template, url_for
from flask_login import current_user

from compliance.extensions import db
from compliance.forms import ReasonForm
from compliance.models import Contraindication
from compliance.patients import bp
from compliance.patients.forms import ContraindicationForm
from compliance.permissions import requires
from compliance.services import screening
from compliance.views import run_form


@bp.route("/contraindications/", methods=["GET", "POST"])
@requires("manage_contraindications")
def contraindications():
    form = ContraindicationForm()
    return run_form(
        form, lambda: screening.add_contraindication(current_user, form.name.data,
                                                     form.question.data, form.source.data),
        success=lambda item: f"{item.name} added to the screening questions.",
        to=url_for("patients.contraindications"),
    ) or render_template("patients/contraindications.html", form=form,
                         items=screening.all_contraindications())


def _now_asked(item) -> str:
    return (f"{item.name} is {'asked again' if item.active else 'no longer asked'} "
            "at screening.")


@bp.route("/contraindications/<int:contraindication_id>/active", methods=["POST"])
@requires("manage_contraindications")
def contraindication_active(contraindication_id: int):
    item = db.get_or_404(Contraindication, contraindication_id)
    form = ReasonForm(prefix="active")
    back = url_for("patients.contraindications")
    return run_form(
        form, lambda: screening.set_contraindication_active(current_user, item.id,
                                                            not item.active, form.reason.data),
        success=_now_asked, to=back, invalid="Give a reason for the change.",
    ) or redirect(back)
