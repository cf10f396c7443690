"""The demo's history, recorded as it would have been on its days: each step runs with the
clock at its own clinic-local time, in time order, through the ordinary services."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from compliance import clock


@dataclass(frozen=True)
class Step:
    """Something the clinic did `days_ago` days before the demo's today, at `at` o'clock."""

    days_ago: int
    at: time
    do: Callable[[], object]


def moment(today: date, step: Step) -> datetime:
    """The UTC instant of a step's clinic-local time."""
    day = today - timedelta(days=step.days_ago)
    return datetime.combine(day, step.at, tzinfo=clock.clinic_zone()).astimezone(UTC)


def run(steps: Iterable[Step], today: date) -> None:
    """Run the steps oldest first (steps at the same time in the order given), each with the
    clock at its time; a step planned for later today runs at the real time instead, so that
    nothing is ever recorded ahead of the real clock."""
    for step in sorted(steps, key=lambda s: (-s.days_ago, s.at)):
        with clock.frozen_at(min(moment(today, step), clock.utcnow())):
            step.do()
