"""Patient list, search, registration, details and the record's timeline."""

from flask import render_template, url_for
from flask_login import current_user

from compliance import scope
from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Patient
from compliance.patients import bp
from compliance.patients.forms import EditPatientForm, PatientForm
from compliance.permissions import requires
from compliance.query import query_text
from compliance.services import injection_sites, patients
from compliance.services.clinical import consents_of
from compliance.services.patient_records import timeline
from compliance.services.record_actions import record_actions
from compliance.services.screening import current_screening, present_in
from compliance.views import run_form


@bp.route("/")
@requires("view_patients")
def index():
    term = query_text("q", "The search", 100)
    return render_template("patients/index.html", patients=patients.search(term), term=term,
                           limit=patients.SEARCH_LIMIT)


@bp.route("/new", methods=["GET", "POST"])
@requires("register_patients")
def new():
    form = PatientForm()
    return run_form(
        form, lambda: patients.register_patient(current_user, form.details()),
        success=lambda patient: f"{patient.full_name} registered as {patient.reference}.",
        to=lambda patient: url_for("patients.show", patient_id=patient.id),
    ) or render_template("patients/form.html", form=form, patient=None)


@bp.route("/<int:patient_id>")
@requires("view_patients")
def show(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    seen = scope.visible_ids()
    screening = current_screening(patient)
    consents = [c for c in consents_of(patient) if c.withdrawn_on is None]
    return render_template("patients/show.html", patient=patient, screening=screening,
                           present=present_in(screening), consent=consents[0] if consents else None,
                           items=timeline(patient, seen), today=local_today(),
                           sites=injection_sites.of_patient(patient.id, seen),
                           scoped=seen is not None,
                           actions=record_actions(patient))


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
@requires("register_patients")
def edit(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = EditPatientForm(obj=patient)
    return run_form(
        form, lambda: patients.update_patient(current_user, patient.id, form.details(),
                                              form.reason.data),
        success="Patient details updated.", to=url_for("patients.show", patient_id=patient.id),
    ) or render_template("patients/form.html", form=form, patient=patient)
