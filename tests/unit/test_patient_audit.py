"""Audit events of the D3 tables: who, the old and new values, and why."""

from datetime import date, timedelta

from compliance.clock import local_today
from compliance.services import clinical, patients, prescriptions, screening
from compliance.services.clinical import ConsentDetails, ConsultationDetails
from compliance.services.patients import PatientDetails
from compliance.services.prescriptions import PrescriptionDetails
from tests.audit_helpers import changes, events
from tests.factories import PASSWORD, SIGNATURE, make_product


def only(table: str, record, action: str):
    found = events(table_name=table, record_id=str(record.id), action=action)
    assert found, f"no {action} event for {table} {record.id}"
    return found[-1]


def test_patients_create_change_and_correct_are_recorded(users):
    manager = users["manager"]
    details = PatientDetails("Ruth", "Ellis", date(1970, 1, 9), "female", gp_practice="Oak")
    patient = patients.register_patient(manager, details)
    created = only("patients", patient, "create")
    assert created.actor_id == manager.id and changes(created)["reference"] == [None, "P000001"]
    details.gp_visit_confirmed_on = local_today()
    patients.update_patient(manager, patient.id, details, "Patient brought her GP's letter")
    changed = only("patients", patient, "update")
    assert changes(changed) == {"gp_visit_confirmed_on": [None, local_today().isoformat()]}
    assert changed.reason == "Patient brought her GP's letter"
    details.last_name = "Elliss"
    patients.update_patient(users["nurse"], patient.id, details, "Surname misspelt")
    corrected = only("patients", patient, "update")
    assert corrected.actor_id == users["nurse"].id
    assert changes(corrected) == {"last_name": ["Ellis", "Elliss"]}


def test_contraindications_create_deactivate_and_reactivate_are_recorded(users):
    manager = users["manager"]
    item = screening.add_contraindication(manager, "Lymphoedema", "Does the patient have "
                                          "lymphoedema of the legs?")
    assert changes(only("contraindications", item, "create"))["name"] == [None, "Lymphoedema"]
    screening.set_contraindication_active(manager, item.id, False, "Asked under another question")
    off = only("contraindications", item, "update")
    assert changes(off) == {"active": [True, False]} and off.reason.startswith("Asked under")
    screening.set_contraindication_active(manager, item.id, True, "Deactivated by mistake")
    back = only("contraindications", item, "update")
    assert changes(back) == {"active": [False, True]} and back.reason == "Deactivated by mistake"


def test_screenings_and_their_answers_are_recorded_and_superseded(users):
    doctor = users["doctor"]
    patient = patients.register_patient(doctor, PatientDetails("Ann", "Lee", date(1990, 2, 2),
                                                               "female"))
    items = screening.active_contraindications()

    def answers(present_id=None):
        return [screening.Answer(i.id, i.id == present_id, "on the pill" if
                                 i.id == present_id else None) for i in items]

    first = screening.record_screening(doctor, patient.id, local_today(), answers(items[0].id))
    assert only("screenings", first, "create").actor_id == doctor.id
    yes = [e for e in events(table_name="screening_answers", action="create")
           if changes(e)["present"] == [None, True]]
    assert changes(yes[-1])["notes"] == [None, "on the pill"]
    correction = screening.record_screening(doctor, patient.id, local_today(), answers())
    assert only("screenings", correction, "create").actor_name == doctor.full_name
    assert screening.current_screening(patient) is correction


def test_consents_create_and_withdrawal_are_recorded(users):
    nurse = users["nurse"]
    patient = patients.register_patient(nurse, PatientDetails("Bea", "Moss", date(1988, 4, 4),
                                                               "female"))
    consent = clinical.record_consent(nurse, patient.id, ConsentDetails(
        local_today(), "Microsclerotherapy", "left calf", "Bruising, pigmentation", SIGNATURE))
    created = changes(only("consents", consent, "create"))
    assert created["areas"] == [None, "left calf"]
    # The patient's own part is on the trail as recorded: the strokes, the text and its hash.
    assert created["patient_signature"] == [None, consent.patient_signature]
    assert created["consent_text"] == [None, consent.consent_text]
    assert created["consent_text_sha256"] == [None, consent.consent_text_sha256]
    clinical.withdraw_consent(nurse, consent.id, local_today(), "Wants to think about it")
    withdrawn = only("consents", consent, "update")
    assert changes(withdrawn)["withdrawn_reason"] == [None, "Wants to think about it"]
    assert withdrawn.reason == "Wants to think about it" and withdrawn.actor_id == nurse.id


def test_consultations_create_and_correction_are_recorded(users):
    doctor = users["doctor"]
    patient = patients.register_patient(doctor, PatientDetails("Cy", "Ng", date(1975, 5, 5),
                                                               "male"))
    details = ConsultationDetails(local_today(), "face to face", "Room 1", "Thread veins",
                                  True, "Fit and screened clear")
    consultation = clinical.record_consultation(doctor, patient.id, details)
    assert changes(only("consultations", consultation, "create"))["mode"] == [None,
                                                                              "face to face"]
    details.place = "Room 4"
    clinical.correct_consultation(doctor, consultation.id, details, "Room typed wrongly")
    corrected = only("consultations", consultation, "update")
    assert changes(corrected) == {"place": ["Room 1", "Room 4"]}
    assert corrected.reason == "Room typed wrongly"


def test_prescriptions_draft_change_signature_and_cancellation_are_recorded(users):
    doctor = users["doctor"]
    patient = patients.register_patient(doctor, PatientDetails("Di", "Fox", date(1969, 6, 6),
                                                               "female"))
    screening.record_screening(doctor, patient.id, local_today(), [
        screening.Answer(i.id, False) for i in screening.active_contraindications()])
    consultation = clinical.record_consultation(doctor, patient.id, ConsultationDetails(
        local_today(), "face to face", "Room 1", "Thread veins", True, "Suitable"))
    details = PrescriptionDetails(make_product().id, consultation.id, 4_000, 3, local_today(),
                                  local_today() + timedelta(days=90))
    rx = prescriptions.write_prescription(doctor, patient.id, details)
    assert changes(only("prescriptions", rx, "create"))["max_volume_per_session_ul"] == [None,
                                                                                         4_000]
    details.max_volume_per_session_ul = 5_000
    prescriptions.update_draft(doctor, rx.id, details)
    assert changes(only("prescriptions", rx, "update")) == {
        "max_volume_per_session_ul": [4_000, 5_000]}
    prescriptions.sign_prescription(doctor, rx.id, PASSWORD)
    signed = only("prescriptions", rx, "update")
    assert changes(signed)["status"] == ["draft", "signed"] and signed.actor_id == doctor.id
    assert events(table_name="signatures", action="create")[-1].actor_id == doctor.id
    prescriptions.cancel_prescription(doctor, rx.id, "Patient declined treatment")
    cancelled = only("prescriptions", rx, "update")
    assert changes(cancelled)["status"] == ["signed", "cancelled"]
    assert cancelled.reason == "Patient declined treatment"
