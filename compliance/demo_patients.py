"""Demo patients for `make run`: screened, consented, seen and prescribed for through the
services (so every record has its audit events); never for production."""

from dataclasses import dataclass
from datetime import date, timedelta

from compliance.clock import local_today
from compliance.services import clinical, patients, prescriptions, screening
from compliance.services.clinical import ConsentDetails, ConsultationDetails
from compliance.services.patients import PatientDetails
from compliance.services.prescriptions import PrescriptionDetails

DOCTOR_PASSWORD = "Sclero-Doctor-Demo-2026"
RISKS = ("Bruising, restlessness and swelling, blistering, pigmentation (dark freckles), clots "
         "that may need removing within 2 weeks, rarely ulceration or allergic reaction.")


@dataclass(frozen=True)
class DemoPatient:
    details: PatientDetails
    contraindication: str | None = None  # answered yes at screening
    consultation_mode: str = "face to face"
    strength: str | None = None  # key of the product prescribed (demo.DEMO_PRODUCTS), if any
    outcome: str = "signed"  # signed, draft or cancelled


def _person(first, last, born, sex, phone, street, gp, confirmed=True) -> PatientDetails:
    return PatientDetails(
        first_name=first, last_name=last, date_of_birth=born, sex=sex, phone=phone,
        email=f"{first.lower()}.{last.lower()}@example.org", address=f"{street}\nBristol",
        gp_practice=gp, gp_visit_advised=True,
        gp_visit_confirmed_on=local_today() - timedelta(days=150) if confirmed else None)


def _patients() -> tuple[DemoPatient, ...]:
    return (
        DemoPatient(_person("Claire", "Bennett", date(1978, 4, 12), "female", "07700 900101",
                            "14 Redland Grove", "Whiteladies Health Centre"), strength="0.5"),
        DemoPatient(_person("Priya", "Shah", date(1985, 9, 3), "female", "07700 900102",
                            "3 Cotham Hill", "Whiteladies Health Centre"), strength="0.2"),
        DemoPatient(_person("Margaret", "Hughes", date(1962, 1, 27), "female", "07700 900103",
                            "27 Gloucester Road", "Bishopston Medical Practice",
                            confirmed=False), strength="1"),
        DemoPatient(_person("Emma", "Clarke", date(1991, 11, 30), "female", "07700 900104",
                            "8 Chandos Road", "Bishopston Medical Practice"),
                    contraindication="Contraceptive pill"),
        DemoPatient(_person("David", "Okafor", date(1970, 6, 15), "male", "07700 900105",
                            "52 North Street", "Southville Surgery"), consultation_mode="phone"),
        DemoPatient(_person("Sophie", "Turner", date(1988, 2, 8), "female", "07700 900106",
                            "19 Picton Street", "Montpelier Health Centre"), strength="0.5",
                    outcome="draft"),
        DemoPatient(_person("Linda", "Marshall", date(1958, 8, 19), "female", "07700 900107",
                            "6 Royal York Crescent", "Clifton Village Practice"), strength="0.2",
                    outcome="cancelled"),
        DemoPatient(_person("Fiona", "Walsh", date(1975, 3, 22), "female", "07700 900108",
                            "41 Coronation Road", "Southville Surgery"), strength="pol1"),
    )


def _screen(nurse, patient, on: date, present: str | None) -> None:
    screening.record_screening(nurse, patient.id, on, [
        screening.Answer(item.id, item.name == present,
                         "Combined pill for 6 years" if item.name == present else None)
        for item in screening.active_contraindications()])


def _consult(prescriber, patient, demo: DemoPatient, on: date):
    remote = demo.consultation_mode != "face to face"
    suitable = demo.contraindication is None
    reason = ("Screened clear; small thread veins on both calves; realistic expectations."
              if suitable else f"{demo.contraindication}: a hard stop for sclerotherapy.")
    return clinical.record_consultation(prescriber, patient.id, ConsultationDetails(
        on, demo.consultation_mode, "Telephone" if remote else "Treatment room 1",
        "Telangiectasia and reticular veins on both calves and the back of the thighs; no "
        "varicose veins, pulses present.", suitable,
        "Seen by phone only: must be seen face to face before any prescription." if remote
        else reason))


def _prescribe(doctor, patient, consultation, demo: DemoPatient, product):
    start = consultation.held_on + timedelta(days=1)
    rx = prescriptions.write_prescription(doctor, patient.id, PrescriptionDetails(
        product_id=product.id, consultation_id=consultation.id,
        max_volume_per_session_ul=min(6_000, product.max_volume_per_session_ul),
        sessions_authorised=6 if demo.strength != "1" else 4, valid_from=start,
        valid_until=start + timedelta(days=365),
        directions="Microsclerotherapy of thread veins of the legs, 4 to 6 weeks apart."))
    if demo.outcome != "draft":
        prescriptions.sign_prescription(doctor, rx.id, DOCTOR_PASSWORD)
    if demo.outcome == "cancelled":
        prescriptions.cancel_prescription(doctor, rx.id, "Patient decided not to go ahead after "
                                                      "thinking it over")
    return rx


def _ingredient(demo: DemoPatient, products: dict) -> str:
    """What the patient consents to be treated with: the prescribed product's sclerosant."""
    if demo.strength is None:
        return "sodium tetradecyl sulphate"
    return products[demo.strength].active_ingredient


def load_patients(users: dict, products: dict) -> dict:
    """Create the demo patients. `users` by email, `products` by key ("0.2" ... "3", "pol1").

    Returns {"patients": {full name: Patient}, "prescriptions": {full name: Prescription}}.
    """
    manager, nurse = users["manager@demo.clinic"], users["nurse.jones@demo.clinic"]
    doctor = users["dr.patel@demo.clinic"]
    today = local_today()
    made = {"patients": {}, "prescriptions": {}}
    for n, demo in enumerate(_patients()):
        patient = patients.register_patient(manager, PatientDetails(**vars(demo.details)))
        seen_on = today - timedelta(days=140 - 4 * n)
        if n == 7:  # an earlier screening, superseded by the current one
            _screen(nurse, patient, seen_on - timedelta(days=300), None)
        _screen(nurse, patient, seen_on, demo.contraindication)
        clinical.record_consent(nurse, patient.id, ConsentDetails(
            seen_on, f"Microsclerotherapy with {_ingredient(demo, products)}",
            "Both legs: calves and thighs", RISKS))
        consultation = _consult(doctor, patient, demo, seen_on)
        if demo.strength:
            made["prescriptions"][patient.full_name] = _prescribe(
                doctor, patient, consultation, demo, products[demo.strength])
        made["patients"][patient.full_name] = patient
    return made
