"""The shape of a generated data set: who, which products, which courses on which dates."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from compliance.rules.injection import LEG_REGIONS
from compliance.rules.limits import (
    LONG_GAP_DAYS,
    MAX_SESSIONS_PER_COURSE,
    MIN_DAYS_BETWEEN_SESSIONS,
)

# Days between sessions: never refused, never flagged.
COURSE_GAP_DAYS = (MIN_DAYS_BETWEEN_SESSIONS, LONG_GAP_DAYS)


@dataclass(frozen=True)
class Sizes:
    patients: int
    sessions: int
    injections: int
    batches: int
    years: int = 10
    clinics: int = 25


# A clinic group (the default), and a national provider (PostgreSQL only).
SCALES = {"group": Sizes(100_000, 350_000, 1_000_000, 20_000, years=10, clinics=25),
          "national": Sizes(1_000_000, 3_500_000, 10_000_000, 200_000, years=10, clinics=250)}


@dataclass(slots=True)  # millions of them at national scale
class PlannedSession:
    patient: int
    course: int
    number: int
    day: date
    home: int = 0  # the index of the patient's location, where every session is held
    product: int = 0  # the index of the course's product
    injections: list[tuple[int, str, int]] = field(default_factory=list)  # volume, site, points


@dataclass(slots=True)
class PlannedCourse:
    patient: int
    index: int
    start: date
    sessions: list[PlannedSession]
    product: int = 0  # the index of the product prescribed


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` shared over `parts` as evenly as possible, in random order."""
    base, extra = divmod(total, parts)
    shares = [base + 1] * extra + [base] * (parts - extra)
    rng.shuffle(shares)
    return shares


def _course_lengths(sessions: int) -> list[int]:
    lengths = []
    while sessions > 0:
        take = min(MAX_SESSIONS_PER_COURSE, sessions)
        lengths.append(take)
        sessions -= take
    return lengths


def _course_dates(start: date, length: int, rng: random.Random) -> list[date]:
    days, day = [], start
    for _ in range(length):
        days.append(day)
        day += timedelta(days=rng.randint(*COURSE_GAP_DAYS))
    return days


def plan_courses(sizes: Sizes, first_day: date, last_day: date, rng: random.Random,
                 products: int) -> list[PlannedCourse]:
    """Every patient's courses, each patient at one location and each course of one of
    `products`; sessions of one patient are always COURSE_GAP_DAYS apart, and none is after
    `last_day`. Patients start at any time, so the last months are as busy as any: a course
    still going on at `last_day` has its later sessions at the start of the period instead,
    as a course of its own (the count of sessions stays the one asked for)."""
    courses = []
    span = (last_day - first_day).days
    for patient, sessions in enumerate(split(sizes.sessions, sizes.patients, rng)):
        planned, day = [], first_day + timedelta(days=rng.randint(0, span))
        for length in _course_lengths(sessions):
            dates = _course_dates(day, length, rng)
            planned.append((dates, rng.randrange(products)))
            day = dates[-1] + timedelta(days=rng.randint(COURSE_GAP_DAYS[0], 60))
        planned = _within(planned, first_day, last_day)
        for index, (dates, product) in enumerate(planned):
            courses.append(PlannedCourse(patient, index, dates[0], [
                PlannedSession(patient, index, n + 1, d, patient % sizes.clinics, product)
                for n, d in enumerate(dates)], product))
    return courses


def _within(planned: list[tuple[list[date], int]], first_day: date, last_day: date) -> list:
    """A patient's courses (dates, product) with no session after `last_day`, in order: the
    sessions after it moved back by the whole period, to begin again at `first_day`. When
    the moved sessions would come too near the patient's others (courses nearly as long as
    the period), every course is moved back instead, to end by `last_day`."""
    if not planned or planned[-1][0][-1] <= last_day:  # no session at all, or none after
        return planned
    period = timedelta(days=(last_day - first_day).days + 1)
    moved = _split_at(planned, lambda day: day > last_day, -period)
    kept = _split_at(planned, lambda day: day <= last_day, timedelta(0))
    if (kept[0][0][0] - moved[-1][0][-1]).days >= COURSE_GAP_DAYS[0]:
        return moved + kept
    back = _split_at(planned, lambda day: True, last_day - planned[-1][0][-1])
    if back[0][0][0] < first_day:
        raise RuntimeError(f"a patient's {sum(len(dates) for dates, _ in planned)} sessions "
                           "take longer than the period; give more years or fewer sessions")
    return back


def _split_at(planned: list, wanted, shift: timedelta) -> list:
    """The courses' `wanted` sessions, each moved by `shift`; courses left empty are left out."""
    courses = [([day + shift for day in dates if wanted(day)], product)
               for dates, product in planned]
    return [course for course in courses if course[0]]


def plan_injections(sessions: list[PlannedSession], injections: int,
                    rng: random.Random) -> None:
    """Give each session its injections: 0.1 to 1.3 ml each, at most 8 ml a session."""
    # There are a few hundred different injections: each is kept once, not ten million times.
    kinds: dict[tuple[int, str, int], tuple[int, str, int]] = {}
    for session, count in zip(sessions, split(injections, len(sessions), rng), strict=True):
        sites = rng.sample(LEG_REGIONS, k=min(3, len(LEG_REGIONS)))
        budget = 8_000
        for n in range(count):
            still_to_come = count - n - 1
            volume = max(100, min(rng.randrange(100, 1_400, 100), budget - 100 * still_to_come))
            budget -= volume
            kind = (volume, rng.choice(sites), rng.randint(2, 8))
            session.injections.append(kinds.setdefault(kind, kind))
