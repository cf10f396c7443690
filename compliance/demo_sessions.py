"""Demo treatment sessions for `make run`, recorded through the treatment service so that every
compliance rule applies, each at its time on its own day: nothing is flagged as entered late
but the one follow-up the demo writes up late on purpose."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from compliance.demo_timeline import Step
from compliance.services import follow_ups, stock_queries, treatment, voiding

PASSWORDS = {"dr.patel@demo.clinic": "Sclero-Doctor-Demo-2026",
             "nurse.jones@demo.clinic": "Sclero-Nurse-Demo-2026"}
NURSE, DOCTOR = "nurse.jones@demo.clinic", "dr.patel@demo.clinic"
# Seen 12 days after her session, written up 4 days later: the demo's deliberate late follow-up.
FOLLOW_UP = ("Margaret Hughes", 60, 48, 44)  # patient, session's days ago, seen, recorded


@dataclass(frozen=True)
class DemoSession:
    patient: str
    days_ago: int
    starts: time
    by: str
    volumes_ul: tuple[int, ...]
    areas: tuple[str, ...] = ("left calf", "right calf")
    sign: bool = True
    void: str | None = None  # voided before any injection, for this reason


SESSIONS = (
    DemoSession("Claire Bennett", 100, time(9, 30), NURSE, (1_200, 800, 600)),
    DemoSession("Claire Bennett", 70, time(9, 30), NURSE, (900, 700)),
    DemoSession("Claire Bennett", 0, time(11), NURSE, (1_000, 500), sign=False),
    DemoSession("Priya Shah", 84, time(14), DOCTOR, (1_500, 1_000),
                ("left thigh (back)", "left knee")),
    DemoSession("Priya Shah", 49, time(14), DOCTOR, (1_300, 900), ("left thigh (back)",)),
    DemoSession("Priya Shah", 14, time(14), DOCTOR, (800,), ("left knee",)),
    DemoSession("Margaret Hughes", 60, time(10), NURSE, (1_000, 1_000),
                ("right shin", "right ankle")),
    DemoSession("Margaret Hughes", 0, time(10), NURSE, (), ("right shin",), sign=False,
                void="Opened under the wrong patient: Fiona Walsh was in the chair."),
    DemoSession("Fiona Walsh", 0, time(10, 15), DOCTOR, (1_400, 900, 700),
                ("left calf", "left shin")),
)


def _later(start: time, minutes: int) -> time:
    return (datetime.combine(date.min, start) + timedelta(minutes=minutes)).time()


def _open(made: dict, demo: DemoSession, day: date) -> None:
    prescription = made["prescriptions"][demo.patient]
    made["sessions"][demo.patient, demo.days_ago] = treatment.open_session(
        made["users"][demo.by], treatment.NewSession(
            prescription.patient_id, prescription.id, day, list(demo.areas)))


def _inject(made: dict, demo: DemoSession, day: date, volume: int, site: str) -> None:
    session = made["sessions"][demo.patient, demo.days_ago]
    product_id = made["prescriptions"][demo.patient].product_id
    batch = stock_queries.usable_batches(product_id, day, session.location_id)[0]  # FEFO
    treatment.record_injection(made["users"][demo.by], session.id, treatment.NewInjection(
        batch.id, volume, site, 4))


def _close(made: dict, demo: DemoSession) -> None:
    session = made["sessions"][demo.patient, demo.days_ago]
    if demo.void:
        voiding.void_session(made["users"][demo.by], session.id, demo.void)
    if demo.sign:
        treatment.sign_session(made["users"][demo.by], session.id, PASSWORDS[demo.by])


def _session_steps(made: dict, demo: DemoSession, day: date) -> list[Step]:
    """Opened, an injection every five minutes, then voided or signed (or left open)."""
    steps = [Step(demo.days_ago, demo.starts, lambda: _open(made, demo, day))]
    for n, (volume, site) in enumerate(zip(demo.volumes_ul, demo.areas * 3, strict=False)):
        steps.append(Step(demo.days_ago, _later(demo.starts, 5 * (n + 1)),
                          lambda v=volume, s=site: _inject(made, demo, day, v, s)))
    steps.append(Step(demo.days_ago, _later(demo.starts, 25),
                      lambda: _close(made, demo)))
    return steps


def _follow_up(made: dict, today: date) -> None:
    patient, session_days_ago, seen_days_ago, _recorded = FOLLOW_UP
    follow_ups.record_follow_up(
        made["users"][NURSE], made["sessions"][patient, session_days_ago].id,
        follow_ups.FollowUpNote(today - timedelta(days=seen_days_ago), ["clot", "bruising"],
                                True, "mild", "Trapped blood (clot) released by needle",
                                "Settled; review at next session"))


def session_steps(made: dict, today: date) -> list[Step]:
    """Courses under the demo patients' signed prescriptions (`made["prescriptions"]` by full
    name, filled by the time they run), and one complication."""
    steps = [step for demo in SESSIONS
             for step in _session_steps(made, demo, today - timedelta(days=demo.days_ago))]
    return steps + [Step(FOLLOW_UP[3], time(10), lambda: _follow_up(made, today))]
