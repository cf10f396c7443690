"""Plain facts for the rules' tests: a valid case, changed one field at a time."""

from dataclasses import replace
from datetime import date, datetime, timedelta

from compliance.rules.facts import (
    BatchFacts,
    ConsentFacts,
    ConsultationFacts,
    CourseFacts,
    Grounds,
    PrescriptionFacts,
    ScreeningFacts,
    VolumeFacts,
)

ON = date(2026, 3, 10)
PATIENT_ID, PRODUCT_ID = 7, 3


def at(day: date, hour: int = 0, **delta) -> datetime:
    """A UTC instant on `day`, moved by `delta` (hours=, seconds=, ...)."""
    return datetime(day.year, day.month, day.day, hour) + timedelta(**delta)


def prescription(**changes) -> PrescriptionFacts:
    valid = PrescriptionFacts(
        reference="RX-000012", patient_id=PATIENT_ID, product_id=PRODUCT_ID,
        product_name="Fibro-Vein 0.2%", signed_by_doctor=True, valid_from=date(2026, 1, 1),
        valid_until=date(2026, 6, 30), sessions_authorised=6, max_volume_per_session_ul=4000,
        consultation=ConsultationFacts(supports_prescription=True, held_on=date(2025, 12, 20)))
    return replace(valid, **changes)


def clear_screening() -> ScreeningFacts:
    return ScreeningFacts(present=(), unanswered=())


def consent(consented_on: date = date(2025, 12, 20), withdrawn_on: date | None = None):
    return ConsentFacts(consented_on, withdrawn_on)


def grounds(**changes) -> Grounds:
    valid = Grounds(patient_id=PATIENT_ID, on=ON, prescription=prescription(),
                    screening=clear_screening(), consents=(consent(),))
    return replace(valid, **changes)


def course(**changes) -> CourseFacts:
    valid = CourseFacts(grounds=grounds(), sessions_recorded=0, previous_session_on=None,
                        next_session_on=None)
    return replace(valid, **changes)


def batch(**changes) -> BatchFacts:
    valid = BatchFacts(label="Fibro-Vein 0.2% batch B-100", product_id=PRODUCT_ID,
                       received_on=date(2026, 1, 5), expires_on=date(2027, 1, 31),
                       recalled=False, quarantined=False)
    return replace(valid, **changes)


def volume(**changes) -> VolumeFacts:
    return replace(VolumeFacts(prescribed_max_ul=4000, product_max_ul=10000, used_ul=0),
                   **changes)


def refusal(error_class, call, *args):
    """The refusal `call(*args)` raises, which must be exactly an `error_class`."""
    try:
        call(*args)
    except error_class as error:
        assert type(error) is error_class, f"{type(error).__name__} raised"
        return error
    raise AssertionError(f"{error_class.__name__} was not raised")
