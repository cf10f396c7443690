"""Demo patients for `make run`: screened, consented, seen and prescribed for through the
services (so every record has its audit events), each on the day of the first visit; never for
production."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import partial

from compliance.demo_sessions import DOCTOR, NURSE
from compliance.demo_signatures import demo_signature
from compliance.demo_timeline import Step
from compliance.services import clinical, patients, prescriptions, screening
from compliance.services.clinical import ConsentDetails, ConsultationDetails
from compliance.services.patients import PatientDetails
from compliance.services.prescriptions import PrescriptionDetails

DOCTOR_PASSWORD = "Sclero-Doctor-Demo-2026"
MANAGER = "manager@demo.clinic"
UNABLE_TO_SIGN = ("Patient unable to sign on the tablet (arthritis in both hands); the statement "
                  "was read to her and she confirmed her consent aloud.")
RISKS = ("Bruising, restlessness and swelling, blistering, pigmentation (dark freckles), clots "
         "that may need removing within 2 weeks, rarely ulceration or allergic reaction.")


@dataclass(frozen=True)
class DemoPatient:
    details: PatientDetails
    contraindication: str | None = None  # answered yes at screening
    consultation_mode: str = "face to face"
    strength: str | None = None  # key of the product prescribed (demo.DEMO_PRODUCTS), if any
    outcome: str = "signed"  # signed, draft or cancelled
    unable_to_sign: bool = False  # consent given without a signature drawn on the tablet


def _person(today, first, last, born, sex, phone, street, gp, confirmed=True) -> PatientDetails:
    return PatientDetails(
        first_name=first, last_name=last, date_of_birth=born, sex=sex, phone=phone,
        email=f"{first.lower()}.{last.lower()}@example.org", address=f"{street}\nBristol",
        gp_practice=gp, gp_visit_advised=True,
        gp_visit_confirmed_on=today - timedelta(days=150) if confirmed else None)


def _patients(today: date) -> tuple[DemoPatient, ...]:
    person = partial(_person, today)
    return (
        DemoPatient(person("Claire", "Bennett", date(1978, 4, 12), "female", "07700 900101",
                           "14 Redland Grove", "Whiteladies Health Centre"), strength="0.5"),
        DemoPatient(person("Priya", "Shah", date(1985, 9, 3), "female", "07700 900102",
                           "3 Cotham Hill", "Whiteladies Health Centre"), strength="0.2"),
        DemoPatient(person("Margaret", "Hughes", date(1962, 1, 27), "female", "07700 900103",
                           "27 Gloucester Road", "Bishopston Medical Practice",
                           confirmed=False), strength="1", unable_to_sign=True),
        DemoPatient(person("Emma", "Clarke", date(1991, 11, 30), "female", "07700 900104",
                           "8 Chandos Road", "Bishopston Medical Practice"),
                    contraindication="Contraceptive pill"),
        DemoPatient(person("David", "Okafor", date(1970, 6, 15), "male", "07700 900105",
                           "52 North Street", "Southville Surgery"), consultation_mode="phone"),
        DemoPatient(person("Sophie", "Turner", date(1988, 2, 8), "female", "07700 900106",
                           "19 Picton Street", "Montpelier Health Centre"), strength="0.5",
                    outcome="draft"),
        DemoPatient(person("Linda", "Marshall", date(1958, 8, 19), "female", "07700 900107",
                           "6 Royal York Crescent", "Clifton Village Practice"), strength="0.2",
                    outcome="cancelled"),
        DemoPatient(person("Fiona", "Walsh", date(1975, 3, 22), "female", "07700 900108",
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
    return rx


def _ingredient(demo: DemoPatient, products: dict) -> str:
    """What the patient consents to be treated with: the prescribed product's sclerosant."""
    if demo.strength is None:
        return "sodium tetradecyl sulphate"
    return products[demo.strength].active_ingredient


def _register(made: dict, demo: DemoPatient) -> None:
    patient = patients.register_patient(made["users"][MANAGER],
                                        PatientDetails(**vars(demo.details)))
    made["patients"][patient.full_name] = patient


def _screenings(made: dict, name: str, demo: DemoPatient, seen_on: date, earlier: bool) -> None:
    nurse, patient = made["users"][NURSE], made["patients"][name]
    # An earlier screening, copied from the notes she brought: superseded by today's.
    if earlier:
        _screen(nurse, patient, seen_on - timedelta(days=300), None)
    _screen(nurse, patient, seen_on, demo.contraindication)


def _consent(made: dict, name: str, demo: DemoPatient, seen_on: date) -> None:
    """Each patient signs on the tablet, but one, whose reason is recorded instead."""
    signed = not demo.unable_to_sign
    clinical.record_consent(made["users"][NURSE], made["patients"][name].id, ConsentDetails(
        seen_on, f"Microsclerotherapy with {_ingredient(demo, made['products'])}",
        "Both legs: calves and thighs", RISKS, demo_signature(name) if signed else None,
        None if signed else UNABLE_TO_SIGN))


def _consultation(made: dict, name: str, demo: DemoPatient, seen_on: date) -> None:
    made["consultations"][name] = _consult(made["users"][DOCTOR], made["patients"][name], demo,
                                           seen_on)


def _prescribing(made: dict, name: str, demo: DemoPatient) -> None:
    made["prescriptions"][name] = _prescribe(
        made["users"][DOCTOR], made["patients"][name], made["consultations"][name], demo,
        made["products"][demo.strength])


def _patient_steps(made: dict, demo: DemoPatient, days_ago: int, seen_on: date,
                   earlier: bool) -> list[Step]:
    """A new patient's first visit: registered, screened, consented, seen and prescribed for."""
    name = f"{demo.details.first_name} {demo.details.last_name}"
    steps = [Step(days_ago, time(9), lambda: _register(made, demo)),
             Step(days_ago, time(9, 10), lambda: _screenings(made, name, demo, seen_on, earlier)),
             Step(days_ago, time(9, 20), lambda: _consent(made, name, demo, seen_on)),
             Step(days_ago, time(9, 40), lambda: _consultation(made, name, demo, seen_on))]
    if demo.strength:
        steps.append(Step(days_ago, time(10), lambda: _prescribing(made, name, demo)))
    if demo.outcome == "cancelled":
        steps.append(Step(days_ago - 3, time(11), lambda: prescriptions.cancel_prescription(
            made["users"][DOCTOR], made["prescriptions"][name].id,
            "Patient decided not to go ahead after thinking it over")))
    return steps


def patient_steps(made: dict, today: date) -> list[Step]:
    """The demo patients' first visits, one every four days. `made` holds "users" by email
    and "products" by key ("0.2" ... "3", "pol1") when they run; they fill its "patients" and
    "prescriptions" by full name."""
    made["consultations"] = {}
    steps = []
    for n, demo in enumerate(_patients(today)):
        days_ago = 140 - 4 * n
        steps += _patient_steps(made, demo, days_ago, today - timedelta(days=days_ago), n == 7)
    return steps
