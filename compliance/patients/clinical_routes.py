"""Screening, consent and consultation views: thin; refusals shown next to their field."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from compliance import drawn_signature
from compliance.clock import local_today
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.inputs import text_problem
from compliance.models import Consent, Consultation, Patient, Screening
from compliance.patients import bp
from compliance.patients.forms import (
    ConsentForm,
    ConsultationForm,
    CorrectConsultationForm,
    ScreeningForm,
    WithdrawConsentForm,
)
from compliance.permissions import requires
from compliance.services import clinical, screening
from compliance.services.consent_signing import statement_for
from compliance.views import run_form

# The notes on one screening answer, at most this long.
NOTES_LENGTH = 1000


def _answers(questions) -> list[screening.Answer]:
    """The answers typed; notes that cannot be taken as typed are refused, not cut."""
    answers = []
    for item in questions:
        raw = request.form.get(f"answer-{item.id}")
        present = {"yes": True, "no": False}.get(raw)
        notes = request.form.get(f"notes-{item.id}", "")
        problem = text_problem(notes, NOTES_LENGTH)
        if problem:
            raise InvalidInput(f"The notes on {item.name}: {problem}", field=f"notes-{item.id}")
        answers.append(screening.Answer(item.id, present, notes))
    return answers


def _screened(found) -> str:
    """The flash after a screening: a contraindication found is said, not a plain success."""
    present = screening.present_in(found)
    if not present:
        return "Screening recorded; it is now the patient's current screening."
    return (f"Screening recorded; it found a contraindication: {', '.join(present)}. While it "
            "is the current screening, no prescription can be written and no session started.")


@bp.route("/<int:patient_id>/screening", methods=["GET", "POST"])
@requires("record_consultation")
def screening_new(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = ScreeningForm(data={"screened_on": local_today()})
    questions = screening.active_contraindications()
    problems: dict[str, str] = {}  # answers are not form fields: their refusals shown apart
    return run_form(
        form, lambda: screening.record_screening(current_user, patient.id, form.screened_on.data,
                                                 _answers(questions)),
        success=_screened,
        category=lambda found: "warning" if screening.present_in(found) else "success",
        to=url_for("patients.show", patient_id=patient.id),
        on_refusal=lambda error: problems.update({error.field: error.message} if error.field
                                                 else {}),
    ) or render_template("patients/screening_form.html", form=form, patient=patient,
                         questions=questions, problems=problems, values=request.form)


@bp.route("/screenings/<int:screening_id>")
@requires("view_patients")
def screening_show(screening_id: int):
    found = db.get_or_404(Screening, screening_id)
    patient = db.get_or_404(Patient, found.patient_id)
    current = screening.current_screening(patient)
    return render_template("patients/screening_show.html", screening=found, patient=patient,
                           is_current=current is found)


@bp.route("/<int:patient_id>/consents/new", methods=["GET", "POST"])
@requires("record_consultation")
def consent_new(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = ConsentForm(data={"consented_on": local_today(),
                             "procedure": "Microsclerotherapy with sodium tetradecyl sulphate"})
    return run_form(
        form, lambda: clinical.record_consent(current_user, patient.id, form.details()),
        success="Consent recorded.", to=url_for("patients.show", patient_id=patient.id),
    ) or render_template("patients/consent_form.html", form=form, patient=patient,
                         statement=statement_for(patient), pad=drawn_signature)


@bp.route("/<int:patient_id>/consents")
@requires("view_patients")
def consent_list(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    consents = clinical.consents_of(patient)
    forms = {c.id: WithdrawConsentForm(prefix=f"withdraw-{c.id}",
                                       data={"withdrawn_on": local_today()}) for c in consents}
    return render_template("patients/consents.html", patient=patient, consents=consents,
                           withdraw_forms=forms)


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@requires("record_consultation")
def consent_withdraw(consent_id: int):
    consent = db.get_or_404(Consent, consent_id)
    form = WithdrawConsentForm(prefix=f"withdraw-{consent.id}")
    back = url_for("patients.consent_list", patient_id=consent.patient_id)
    return run_form(
        form, lambda: clinical.withdraw_consent(current_user, consent.id, form.withdrawn_on.data,
                                                form.reason.data),
        success="Consent withdrawn.", to=back,
        invalid="Give the date and the reason the patient withdrew consent.",
    ) or redirect(back)


@bp.route("/<int:patient_id>/consultations/new", methods=["GET", "POST"])
@requires("record_consultation")
def consultation_new(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = ConsultationForm(data={"held_on": local_today(), "mode": "face to face"})
    return run_form(
        form, lambda: clinical.record_consultation(current_user, patient.id, form.details()),
        success="Consultation recorded.", to=url_for("patients.show", patient_id=patient.id),
    ) or render_template("patients/consultation_form.html", form=form, patient=patient,
                         consultation=None)


@bp.route("/consultations/<int:consultation_id>")
@requires("view_patients")
def consultation_show(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    return render_template("patients/consultation_show.html", consultation=consultation,
                           patient=db.get_or_404(Patient, consultation.patient_id))


@bp.route("/consultations/<int:consultation_id>/correct", methods=["GET", "POST"])
@requires("correct_consultation")
def consultation_correct(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    form = CorrectConsultationForm(obj=consultation)
    if not form.is_submitted():
        form.suitable.data = "yes" if consultation.suitable else "no"
    return run_form(
        form, lambda: clinical.correct_consultation(current_user, consultation.id,
                                                    form.details(), form.reason.data),
        success="Consultation corrected.",
        to=url_for("patients.consultation_show", consultation_id=consultation.id),
    ) or render_template("patients/consultation_form.html", form=form,
                         patient=db.get_or_404(Patient, consultation.patient_id),
                         consultation=consultation)
