"""Demo treatment sessions for `make run`, recorded through the treatment service so that every
compliance rule applies. Sessions in the past are flagged as late entries, truthfully: they are
recorded when the demo is loaded."""

from dataclasses import dataclass
from datetime import timedelta

from compliance.clock import local_today
from compliance.services import follow_ups, stock_queries, treatment, voiding

PASSWORDS = {"dr.patel@demo.clinic": "Sclero-Doctor-Demo-2026",
             "nurse.jones@demo.clinic": "Sclero-Nurse-Demo-2026"}
NURSE, DOCTOR = "nurse.jones@demo.clinic", "dr.patel@demo.clinic"


@dataclass(frozen=True)
class DemoSession:
    patient: str
    days_ago: int
    by: str
    volumes_ul: tuple[int, ...]
    areas: tuple[str, ...] = ("left calf", "right calf")
    sign: bool = True
    void: str | None = None  # voided before any injection, for this reason


SESSIONS = (
    DemoSession("Claire Bennett", 100, NURSE, (1_200, 800, 600)),
    DemoSession("Claire Bennett", 70, NURSE, (900, 700)),
    DemoSession("Claire Bennett", 0, NURSE, (1_000, 500), sign=False),
    DemoSession("Priya Shah", 84, DOCTOR, (1_500, 1_000), ("left thigh (back)", "left knee")),
    DemoSession("Priya Shah", 49, DOCTOR, (1_300, 900), ("left thigh (back)",)),
    DemoSession("Priya Shah", 14, DOCTOR, (800,), ("left knee",)),
    DemoSession("Margaret Hughes", 60, NURSE, (1_000, 1_000), ("right shin", "right ankle")),
    DemoSession("Margaret Hughes", 0, NURSE, (), ("right shin",), sign=False,
                void="Opened under the wrong patient: Fiona Walsh was in the chair."),
    DemoSession("Fiona Walsh", 0, DOCTOR, (1_400, 900, 700), ("left calf", "left shin")),
)


def _record(users: dict, prescriptions: dict, demo: DemoSession):
    prescriber = users[demo.by]
    prescription = prescriptions[demo.patient]
    day = local_today() - timedelta(days=demo.days_ago)
    session = treatment.open_session(prescriber, treatment.NewSession(
        prescription.patient_id, prescription.id, day, list(demo.areas)))
    batch = stock_queries.usable_batches(prescription.product_id, day)[0]  # first expiry first
    for volume, site in zip(demo.volumes_ul, demo.areas * 3, strict=False):
        treatment.record_injection(prescriber, session.id, treatment.NewInjection(
            batch.id, volume, site, 4))
    if demo.void:
        voiding.void_session(prescriber, session.id, demo.void)
    if demo.sign:
        treatment.sign_session(prescriber, session.id, PASSWORDS[demo.by])
    return session


def load_sessions(users: dict, made: dict) -> None:
    """Courses under the demo patients' signed prescriptions, and one complication."""
    prescriptions = {name: rx for name, rx in made["prescriptions"].items()
                     if rx.status == "signed"}
    recorded = {}
    for demo in SESSIONS:
        recorded[demo.patient, demo.days_ago] = _record(users, prescriptions, demo)
    follow_ups.record_follow_up(users[NURSE], recorded["Margaret Hughes", 60].id,
                                follow_ups.FollowUpNote(
                                    local_today() - timedelta(days=48), ["clot", "bruising"],
                                    True, "mild", "Trapped blood (clot) released by needle",
                                    "Settled; review at next session"))
