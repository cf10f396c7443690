"""Treatment views: thin; each maps a refusal to a message next to its field."""

from flask import redirect, render_template, url_for
from flask_login import current_user

from compliance import scope
from compliance.clock import local_today, utcnow
from compliance.extensions import db
from compliance.forms import options
from compliance.models import Injection, Patient, TreatmentSession
from compliance.permissions import requires
from compliance.query import query_id
from compliance.reports.pdf import pdf_response
from compliance.services import injection_sites, treatment, treatment_queries, voiding
from compliance.services.products import ml_to_ul
from compliance.services.signatures import signatures_of
from compliance.services.unit_of_work import record_alone
from compliance.treatment import bp
from compliance.treatment.forms import (
    AddendumForm,
    InjectionForm,
    ReverseInjectionForm,
    SessionForm,
    SignForm,
    VoidSessionForm,
)
from compliance.treatment.injection_form import (
    batch_to_use,
    injection_form,
    is_scan_alone,
    read_scan,
)
from compliance.views import run_form


@bp.route("/today")
@requires("record_treatment")
def today():
    day, seen = local_today(), scope.visible_ids()
    due, waiting = treatment_queries.due_and_waiting(day)
    sessions = treatment_queries.sessions_on(current_user.id, day, seen)
    return render_template("treatment/today.html", day=day, sessions=sessions,
                           courses={s.id: treatment_queries.session_course(s) for s in sessions},
                           open_sessions=treatment_queries.open_sessions(current_user.id, seen),
                           due=due, waiting=waiting)


def _session_form(patient: Patient) -> SessionForm:
    form = SessionForm()
    if not form.is_submitted():
        form.session_date.data = local_today()
    on = form.session_date.data or local_today()
    in_force = treatment_queries.prescriptions_in_force(patient.id, on)
    form.prescription_id.choices = options(
        [(0, "Choose a prescription")] +
        [(p.id, f"{p.reference}: {p.product.name}, {p.sessions_authorised} sessions")
         for p in in_force])
    if not form.is_submitted() and len(in_force) == 1:
        # The only prescription there is: choosing it is no decision, only a step to forget.
        form.prescription_id.data = in_force[0].id
    return form


def _shown(session: TreatmentSession) -> str:
    return url_for("treatment.show_session", session_id=session.id)


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires("record_treatment")
def new_session():
    patient = db.get_or_404(Patient, query_id("patient_id") or 0)
    form = _session_form(patient)
    return run_form(
        form, lambda: treatment.open_session(current_user, treatment.NewSession(
            patient.id, form.prescription_id.data, form.session_date.data,
            form.treatment_areas.data, form.notes.data)),
        success=lambda session: f"Session {session.session_number} opened for "
                                f"{patient.full_name}.",
        to=_shown,
    ) or render_template("treatment/new_session.html", form=form, patient=patient)


def _render_session(session: TreatmentSession, **bound):
    picture = treatment_queries.session_picture(session)
    forms = {"injection_form": injection_form(session, picture, bound.pop("injection_form", None)),
             "reverse_form": ReverseInjectionForm(prefix="rev"), "sign_form": SignForm(),
             "addendum_form": AddendumForm(prefix="add"), "void_form": VoidSessionForm()}
    forms.update(bound)
    return render_template("treatment/session.html", picture=picture, session=session,
                           signatures=signatures_of(session),
                           sites=injection_sites.of_session(session.id),
                           course=treatment_queries.session_course(session),
                           **forms)


@bp.route("/sessions/<int:session_id>")
@requires("view_patients")
def show_session(session_id: int):
    return _render_session(db.get_or_404(TreatmentSession, session_id))


@bp.route("/sessions/<int:session_id>.pdf")
@requires("view_patients")
def session_pdf(session_id: int):
    """The session as signed or as it stands, with its leg map, for the patient's file."""
    session = db.get_or_404(TreatmentSession, session_id)
    record_alone(None, "export", detail=f"Treatment session {session.id} PDF")
    html = render_template("treatment/session_print.html", session=session,
                           picture=treatment_queries.session_picture(session),
                           signatures=signatures_of(session),
                           sites=injection_sites.of_session(session.id),
                           generated_by=current_user.full_name, generated_at=utcnow())
    return pdf_response(html, f"session-{session.id}.pdf")


@bp.route("/sessions/<int:session_id>/injections", methods=["POST"])
@requires("record_injection")
def add_injection(session_id: int):
    # The session is read here only to show a page or to read a scanned code against it: the
    # service reads it locked, and refuses a missing one (issue 17: statements counted).
    def session() -> TreatmentSession:
        return db.get_or_404(TreatmentSession, session_id)

    # The batch list is needed only to show the form again: the service checks the batch.
    form = InjectionForm(prefix="inj")
    if is_scan_alone(form):
        shown = session()
        return _render_session(shown, injection_form=read_scan(form, shown), scanned=True)
    scanned = bool((form.barcode.data or "").strip())
    return run_form(
        form, lambda: treatment.record_injection(current_user, session_id, treatment.NewInjection(
            batch_to_use(form, session()) if scanned else form.batch_id.data or 0,
            ml_to_ul(form.volume_ml.data, "volume_ml"), form.site.data, form.points.data)),
        # The form's panel at the top of the screen: the injection just recorded is listed
        # in it, and the next one is typed there.
        success="Injection recorded.",
        to=url_for("treatment.show_session", session_id=session_id) + "#record-injection",
    ) or _render_session(session(), injection_form=form)


@bp.route("/injections/<int:injection_id>/reverse", methods=["POST"])
@requires("record_injection")
def reverse_injection(injection_id: int):
    injection = db.get_or_404(Injection, injection_id)
    form = ReverseInjectionForm(prefix="rev")
    back = url_for("treatment.show_session", session_id=injection.session_id)
    return run_form(
        form, lambda: treatment.reverse_injection(current_user, injection.id, form.reason.data),
        success="Injection reversed; the batch has its volume back.", to=back,
        invalid="Give a reason for the reversal.",
    ) or redirect(back)


@bp.route("/sessions/<int:session_id>/sign", methods=["POST"])
@requires("sign_session")
def sign(session_id: int):
    session = db.get_or_404(TreatmentSession, session_id)
    form = SignForm()
    return run_form(
        form, lambda: treatment.sign_session(current_user, session.id, form.password.data,
                                             form.code.data),
        success="Session signed and locked. Opened ampoules' remainders recorded as waste.",
        to=_shown(session),
    ) or _render_session(session, sign_form=form)


@bp.route("/sessions/<int:session_id>/void", methods=["POST"])
@requires("void_session")
def void_session(session_id: int):
    session = db.get_or_404(TreatmentSession, session_id)
    form = VoidSessionForm()
    return run_form(
        form, lambda: voiding.void_session(current_user, session.id, form.reason.data),
        success=lambda voided: f"Session {voided.session_number} voided: it counts for neither "
                               "the course nor the interval between sessions.",
        to=_shown(session),
    ) or _render_session(session, void_form=form)


@bp.route("/sessions/<int:session_id>/addenda", methods=["POST"])
@requires("add_addendum")
def add_addendum(session_id: int):
    session = db.get_or_404(TreatmentSession, session_id)
    form = AddendumForm(prefix="add")
    return run_form(
        form, lambda: treatment.add_addendum(current_user, session.id, form.text.data,
                                             form.reason.data),
        success="Addendum added.", to=_shown(session),
    ) or _render_session(session, addendum_form=form)
