"""Rules 1 to 3: who may treat, and on what grounds (prescription, screening, consultation,
consent)."""

from datetime import date

from compliance.errors import (
    ContraindicationPresent,
    NoConsent,
    NoConsultation,
    NotScreened,
    NoValidPrescription,
)
from compliance.rules.facts import ConsentFacts, Grounds, PrescriptionFacts, ScreeningFacts


def check_prescription(prescription: PrescriptionFacts | None, patient_id: int, product_id: int,
                       on: date) -> None:
    """Rule 2: a prescription for this patient and product, signed by a doctor, valid on `on`."""
    if (prescription is None or prescription.patient_id != patient_id
            or prescription.product_id != product_id):
        raise NoValidPrescription(field="prescription_id")
    if not prescription.signed_by_doctor:
        raise NoValidPrescription(f"Prescription {prescription.reference} is not signed by a "
                                  "doctor (or was cancelled).", field="prescription_id")
    if not prescription.valid_from <= on <= prescription.valid_until:
        raise NoValidPrescription(
            f"Prescription {prescription.reference} is valid from "
            f"{prescription.valid_from:%d %b %Y} to {prescription.valid_until:%d %b %Y}, "
            f"not on {on:%d %b %Y}.", field="prescription_id")


def check_contraindications(screening: ScreeningFacts | None) -> None:
    """Rule 3a: a screening answering every contraindication in use, none of them present."""
    if screening is None:
        raise ContraindicationPresent("No screening for contraindications is on record.")
    if screening.present:
        raise ContraindicationPresent(f"Contraindication present: {', '.join(screening.present)}.")
    if screening.unanswered:
        raise ContraindicationPresent("The screening does not answer: "
                                      f"{', '.join(screening.unanswered)}. Screen the patient "
                                      "again.")


def check_consultation(prescription: PrescriptionFacts, on: date) -> None:
    """Rule 3b: the prescription rests on a face-to-face consultation finding them suitable."""
    consultation = prescription.consultation
    if (consultation is None or not consultation.supports_prescription
            or consultation.held_on > on):
        raise NoConsultation()


def consent_in_force(consents: tuple[ConsentFacts, ...], on: date) -> bool:
    """A consent given on or before `on` and not withdrawn by then."""
    return any(consent.consented_on <= on
               and (consent.withdrawn_on is None or consent.withdrawn_on > on)
               for consent in consents)


def check_consent(consents: tuple[ConsentFacts, ...], on: date) -> None:
    """Rule 3c: consent given on or before `on` and not withdrawn by then."""
    if not consent_in_force(consents, on):
        raise NoConsent()


def check_grounds(grounds: Grounds) -> PrescriptionFacts:
    """Rules 2 and 3 in order, for a session under the grounds' own prescription."""
    prescription = grounds.prescription
    product_id = prescription.product_id if prescription is not None else None
    check_prescription(prescription, grounds.patient_id, product_id, grounds.on)
    check_contraindications(grounds.screening)
    check_consultation(prescription, grounds.on)
    check_consent(grounds.consents, grounds.on)
    return prescription


def check_screened_clear(screening: ScreeningFacts | None) -> None:
    """D3 before prescribing: a current screening on record, recording no contraindication."""
    if screening is None:
        raise NotScreened()
    if screening.present:
        raise ContraindicationPresent("The current screening records a contraindication: "
                                      f"{', '.join(screening.present)}. Treatment cannot be "
                                      "prescribed.")
