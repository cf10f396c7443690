"""The generator's plan of courses: as many sessions as asked, none after the last day, each
patient's sessions apart as the rules ask, and the last months as busy as the rest (a report
of last month reads a month of a living clinic, not the end of its history)."""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from compliance.generator.plan import COURSE_GAP_DAYS, Sizes, _within, plan_courses

FIRST, LAST = date(2016, 11, 28), date(2026, 11, 26)
SIZES = Sizes(patients=20_000, sessions=70_000, injections=0, batches=0, years=10, clinics=5)


def _planned():
    return plan_courses(SIZES, FIRST, LAST, random.Random(7), products=3)


def test_every_session_asked_for_is_planned_within_the_period():
    sessions = [s for course in _planned() for s in course.sessions]
    assert len(sessions) == SIZES.sessions
    assert min(s.day for s in sessions) >= FIRST and max(s.day for s in sessions) <= LAST


def test_a_patients_sessions_keep_their_gaps_and_courses_their_order():
    by_patient = defaultdict(list)
    for course in _planned():
        assert [s.number for s in course.sessions] == list(range(1, len(course.sessions) + 1))
        assert course.start == course.sessions[0].day
        by_patient[course.patient].append(course)
    for courses in by_patient.values():
        assert [c.index for c in courses] == list(range(len(courses)))
        days = [s.day for course in courses for s in course.sessions]
        assert all((b - a).days >= COURSE_GAP_DAYS[0] for a, b in zip(days, days[1:], strict=False))


def test_the_last_full_month_is_as_busy_as_a_month_of_the_years_before():
    per_month = Counter(s.day.replace(day=1) for c in _planned() for s in c.sessions)
    last_full = (LAST.replace(day=1) - timedelta(days=1)).replace(day=1)
    middle_year = [count for month, count in per_month.items()
                   if date(2021, 1, 1) <= month < date(2022, 1, 1)]
    typical = sum(middle_year) / len(middle_year)
    assert 0.85 * typical <= per_month[last_full] <= 1.15 * typical


def test_a_course_going_on_at_the_last_day_begins_the_period_instead():
    day = LAST - timedelta(days=40)
    planned = [([day - timedelta(days=200)], 0), ([day, day + timedelta(days=30),
                                                   day + timedelta(days=60)], 1)]
    moved = _within(planned, FIRST, LAST)
    period = timedelta(days=(LAST - FIRST).days + 1)
    assert moved == [([day + timedelta(days=60) - period], 1),
                     ([day - timedelta(days=200)], 0), ([day, day + timedelta(days=30)], 1)]


def test_courses_nearly_as_long_as_the_period_end_by_the_last_day_instead():
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    planned = [([first + timedelta(days=30 + 70 * n) for n in range(6)], 0)]
    moved = _within(planned, first, last)
    assert moved[0][0][-1] == last and len(moved[0][0]) == 6


def test_a_patient_given_no_session_has_no_course():
    sizes = Sizes(patients=50, sessions=20, injections=0, batches=0, years=3, clinics=2)
    courses = plan_courses(sizes, date(2023, 11, 27), LAST, random.Random(1), products=2)
    assert sum(len(course.sessions) for course in courses) == 20
    assert len({course.patient for course in courses}) == 20


def test_a_patient_whose_sessions_outrun_the_period_is_refused_with_a_reason():
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    planned = [([first + timedelta(days=30 + 42 * n) for n in range(6)], 0),
               ([first + timedelta(days=300 + 42 * n) for n in range(6)], 1)]
    with pytest.raises(RuntimeError, match="12 sessions take longer than the period"):
        _within(planned, first, last)
