"""Prescription views: write a draft, change it, sign it, cancel or replace it."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from compliance.clock import local_today
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.forms import EmptyForm, ReasonForm, options, show_domain_error
from compliance.models import Patient, Prescription
from compliance.patients import bp
from compliance.patients.forms import PrescriptionForm, SignForm
from compliance.permissions import requires
from compliance.services import prescriptions, stock_queries
from compliance.services.clinical import consultations_of
from compliance.services.patient_records import signature_state
from compliance.services.signatures import signatures_of


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


@bp.route("/<int:patient_id>/prescriptions/new", methods=["GET", "POST"])
@requires("write_prescription")
def prescription_new(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = _new_form(patient)
    if form.validate_on_submit():
        try:
            rx = prescriptions.write_prescription(current_user, patient, _details(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(f"Draft {rx.reference} saved. Check it, then sign it.", "success")
            return redirect(url_for("patients.prescription_show", prescription_id=rx.id))
    return render_template("patients/prescription_form.html", form=form, patient=patient,
                           prescription=None)


@bp.route("/prescriptions/<int:prescription_id>")
@requires("view_patients")
def prescription_show(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    return render_template(
        "patients/prescription_show.html", rx=rx, signatures=signatures_of(rx),
        state=signature_state(rx),
        sign_form=SignForm(), cancel_form=ReasonForm(prefix="cancel"), replace_form=EmptyForm(),
        replaced=db.session.get(Prescription, rx.replaces_id or 0),
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
        return redirect(url_for("patients.prescription_show", prescription_id=rx.id))
    form = _edit_form(rx)
    if form.validate_on_submit():
        try:
            prescriptions.update_draft(current_user, rx, _details(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(f"Draft {rx.reference} updated.", "success")
            return redirect(url_for("patients.prescription_show", prescription_id=rx.id))
    return render_template("patients/prescription_form.html", form=form, patient=rx.patient,
                           prescription=rx)


@bp.route("/prescriptions/<int:prescription_id>/sign", methods=["POST"])
@requires("sign_prescription")
def prescription_sign(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    form = SignForm()
    if not form.validate_on_submit():
        flash("Enter your password to sign.", "error")
        return redirect(url_for("patients.prescription_show", prescription_id=rx.id))
    try:
        prescriptions.sign_prescription(current_user, rx, form.password.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{rx.reference} signed.", "success")
    return redirect(url_for("patients.prescription_show", prescription_id=rx.id))


@bp.route("/prescriptions/<int:prescription_id>/cancel", methods=["POST"])
@requires("write_prescription")
def prescription_cancel(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    form = ReasonForm(prefix="cancel")
    if not form.validate_on_submit():
        flash("Give a reason for cancelling.", "error")
        return redirect(url_for("patients.prescription_show", prescription_id=rx.id))
    try:
        prescriptions.cancel_prescription(current_user, rx, form.reason.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{rx.reference} cancelled.", "success")
    return redirect(url_for("patients.prescription_show", prescription_id=rx.id))


@bp.route("/prescriptions/<int:prescription_id>/replace", methods=["POST"])
@requires("write_prescription")
def prescription_replace(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("patients.prescription_show", prescription_id=rx.id))
    try:
        new = prescriptions.replace_prescription(current_user, rx)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("patients.prescription_show", prescription_id=rx.id))
    flash(f"Draft {new.reference} replaces {rx.reference}: change it, then sign it. "
          f"{rx.reference} stays valid until then.", "success")
    return redirect(url_for("patients.prescription_edit", prescription_id=new.id))
