"""Recording a follow-up against a session."""

from flask import render_template, url_for
from flask_login import current_user

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import TreatmentSession
from compliance.permissions import requires
from compliance.services import follow_ups
from compliance.treatment import bp
from compliance.treatment.forms import FollowUpForm
from compliance.views import run_form


def _note(form: FollowUpForm) -> follow_ups.FollowUpNote:
    return follow_ups.FollowUpNote(form.seen_on.data, form.effects.data, form.complication.data,
                                   form.severity.data or None, form.action_taken.data,
                                   form.notes.data)


@bp.route("/sessions/<int:session_id>/follow-ups", methods=["GET", "POST"])
@requires("record_follow_up")
def new_follow_up(session_id: int):
    session = db.get_or_404(TreatmentSession, session_id)
    form = FollowUpForm()
    if not form.is_submitted():
        form.seen_on.data = local_today()
    return run_form(
        form, lambda: follow_ups.record_follow_up(current_user, session.id, _note(form)),
        success="Follow-up recorded.",
        to=url_for("treatment.show_session", session_id=session.id),
    ) or render_template("treatment/follow_up.html", form=form, session=session)
