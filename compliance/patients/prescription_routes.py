"""Prescription views: write a draft, change it, sign it, cancel or replace it."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from compliance.clock import local_today
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.forms import EmptyForm, ReasonForm, options
from compliance.models import Patient, Prescription
from compliance.patients import bp
from compliance.patients.forms import PrescriptionForm, SignForm
from compliance.permissions import requires
from compliance.services import prescriptions, stock_queries
from compliance.services.clinical import consultations_of
from compliance.services.patient_records import signature_state
from compliance.services.signatures import signatures_of
from compliance.views import run_form


def _choices(form: PrescriptionForm, patient: Patient) -> None:
    form.product_id.choices = options(
        (p.id, f"{p.name} (at most {p.max_volume_per_session_ul / 1000:g} ml per session)")
        for p in stock_queries.products() if p.active)
    form.consultation_id.choices = options(
        (c.id, f"{c.held_on:%d %b %Y}, {c.mode}, {c.prescriber.full_name}, "
               f"{'suitable' if c.suitable else 'not suitable'}")
        for c in consultations_of(patient))


def _new_form(patient: Patient) -> PrescriptionForm:
    supporting = [c for c in consultations_of(patient) if c.supports_prescription]
    today = local_today()
    form = PrescriptionForm(data={
        "consultation_id": supporting[0].id if supporting else None, "sessions_authorised": 6,
        "valid_from": today, "valid_until": today + timedelta(days=182)})
    _choices(form, patient)
    return form


def _details(form: PrescriptionForm) -> prescriptions.PrescriptionDetails:
    return prescriptions.PrescriptionDetails(**form.values())


def _shown(rx: Prescription) -> str:
    return url_for("patients.prescription_show", prescription_id=rx.id)


@bp.route("/<int:patient_id>/prescriptions/new", methods=["GET", "POST"])
@requires("write_prescription")
def prescription_new(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = _new_form(patient)
    return run_form(
        form, lambda: prescriptions.write_prescription(current_user, patient.id, _details(form)),
        success=lambda rx: f"Draft {rx.reference} saved. Check it, then sign it.",
        to=_shown,
    ) or render_template("patients/prescription_form.html", form=form, patient=patient,
                         prescription=None)


@bp.route("/prescriptions/<int:prescription_id>")
@requires("view_patients")
def prescription_show(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    return render_template(
        "patients/prescription_show.html", rx=rx, signatures=signatures_of(rx),
        state=signature_state(rx),
        sign_form=SignForm(), cancel_form=ReasonForm(prefix="cancel"), replace_form=EmptyForm(),
        replaced=prescriptions.replaced_prescription(rx),
        replacement=prescriptions.pending_replacement(rx))


def _edit_form(rx: Prescription) -> PrescriptionForm:
    form = PrescriptionForm(obj=rx)
    if not form.is_submitted():
        form.max_volume_per_session_ml.data = rx.max_volume_per_session_ul / 1000
    _choices(form, rx.patient)
    return form


@bp.route("/prescriptions/<int:prescription_id>/edit", methods=["GET", "POST"])
@requires("sign_prescription")
def prescription_edit(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    try:
        prescriptions.ensure_draft_of(current_user, rx)
    except DomainError as error:  # a signed prescription is locked: no form at all
        flash(error.message, "error")
        return redirect(_shown(rx))
    form = _edit_form(rx)
    return run_form(
        form, lambda: prescriptions.update_draft(current_user, rx.id, _details(form)),
        success=lambda changed: f"Draft {changed.reference} updated.", to=_shown,
    ) or render_template("patients/prescription_form.html", form=form, patient=rx.patient,
                         prescription=rx)


@bp.route("/prescriptions/<int:prescription_id>/sign", methods=["POST"])
@requires("sign_prescription")
def prescription_sign(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    form = SignForm()
    return run_form(
        form, lambda: prescriptions.sign_prescription(current_user, rx.id, form.password.data,
                                                      form.code.data),
        success=lambda signed: f"{signed.reference} signed.", to=_shown(rx),
        invalid="Enter your password to sign.",
    ) or redirect(_shown(rx))


@bp.route("/prescriptions/<int:prescription_id>/cancel", methods=["POST"])
@requires("write_prescription")
def prescription_cancel(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    form = ReasonForm(prefix="cancel")
    return run_form(
        form, lambda: prescriptions.cancel_prescription(current_user, rx.id, form.reason.data),
        success=lambda cancelled: f"{cancelled.reference} cancelled.", to=_shown(rx),
        invalid="Give a reason for cancelling.",
    ) or redirect(_shown(rx))


@bp.route("/prescriptions/<int:prescription_id>/replace", methods=["POST"])
@requires("write_prescription")
def prescription_replace(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    return run_form(
        EmptyForm(), lambda: prescriptions.replace_prescription(current_user, rx.id),
        success=lambda new: f"Draft {new.reference} replaces {rx.reference}: change it, then "
                            f"sign it. {rx.reference} stays valid until then.",
        to=lambda new: url_for("patients.prescription_edit", prescription_id=new.id),
    ) or redirect(_shown(rx))
