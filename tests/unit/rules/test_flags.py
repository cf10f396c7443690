"""D4's flags on plain facts: each is recorded only past its limit, never at it."""

from datetime import date, timedelta

import pytest

from compliance.rules import flags
from compliance.rules.facts import EntryTiming, FollowUpFacts, PatientFacts, StocktakeLineFacts
from compliance.rules.flags import FLAG_LABELS, Flag
from compliance.rules.limits import LATE_AFTER_HOURS
from tests.unit.rules.builders import ON, at, batch


@pytest.mark.parametrize("gap_days", [None, 28, 42])
def test_a_gap_of_six_weeks_or_less_is_not_flagged(gap_days):
    assert flags.long_gap(gap_days) is None


def test_a_gap_over_six_weeks_is_flagged():
    assert flags.long_gap(43) == Flag("gap_over_6_weeks", "43 days since the previous session")


def test_a_gp_visit_advised_and_not_confirmed_is_flagged():
    assert flags.gp_not_confirmed(PatientFacts(True, None)) == Flag(
        "gp_not_confirmed", "GP visit advised but not confirmed")


@pytest.mark.parametrize("patient", [PatientFacts(True, date(2026, 1, 5)),
                                     PatientFacts(False, None)])
def test_a_confirmed_or_unadvised_gp_visit_is_not_flagged(patient):
    assert flags.gp_not_confirmed(patient) is None


KINDS = ["Session", "Injection 4 from batch B-100", "Follow-up 2", "Receipt of batch B-100",
         "Waste of batch B-100", "Stocktake 3"]


def timing(record: str = "Session", **after_the_day) -> EntryTiming:
    day_ends = at(ON + timedelta(days=1))
    recorded = day_ends + timedelta(**after_the_day)
    return EntryTiming(record=record, event_on=ON, event_day_ends_at=day_ends,
                       recorded_at=recorded, recorded_on=recorded.date())


@pytest.mark.parametrize("record", KINDS)
@pytest.mark.parametrize("after", [{"hours": 0}, {"hours": LATE_AFTER_HOURS}])
def test_a_record_entered_within_24_hours_of_its_day_is_not_late(record, after):
    assert flags.late_entry(timing(record, **after)) is None


@pytest.mark.parametrize("record", KINDS)
def test_any_record_entered_more_than_24_hours_after_its_day_is_flagged(record):
    assert flags.late_entry(timing(record, hours=LATE_AFTER_HOURS, microseconds=1)) == Flag(
        "late_entry", f"{record} dated 10 Mar 2026, recorded on 12 Mar 2026: 1 day after "
                      "that day ended")


def test_a_late_entry_says_by_how_much_in_days_and_hours():
    assert flags.late_entry(timing("Receipt of batch B-100", days=149, hours=4)).detail == (
        "Receipt of batch B-100 dated 10 Mar 2026, recorded on 07 Aug 2026: 149 days 4 hours "
        "after that day ended")
    assert flags.late_by(timing(hours=25, minutes=10)) == timedelta(hours=25, minutes=10)
    assert flags.late_by(timing(hours=24)) is None


@pytest.mark.parametrize("elapsed, said", [
    (timedelta(hours=23, minutes=10), "23 hours 10 min"),
    (timedelta(hours=25, minutes=10), "1 day 1 hour"), (timedelta(days=1), "1 day"),
    (timedelta(days=2, hours=1, minutes=59), "2 days 1 hour"), (timedelta(minutes=1), "1 min"),
    (timedelta(0), "0 min")])
def test_a_lapse_of_time_is_said_in_the_largest_units(elapsed, said):
    assert flags.duration(elapsed) == said


def test_a_session_signed_exactly_24_hours_after_it_started_is_not_late():
    assert flags.signed_late(at(ON, 9), at(ON, 9, hours=24)) is None


def test_a_session_signed_more_than_24_hours_after_it_started_is_flagged():
    assert flags.signed_late(at(ON, 9), at(ON, 9, hours=24, seconds=1)) == Flag(
        "signed_late", "Session not signed within 24 hours")


def test_sessions_started_over_24_hours_ago_and_unsigned_are_overdue():
    assert flags.unsigned_if_started_before(at(ON, 12)) == at(ON, 12, hours=-24)


@pytest.mark.parametrize("days_left, near", [(29, True), (30, True), (31, False)])
def test_a_batch_is_near_expiry_within_the_window_including_its_last_day(days_left, near):
    assert flags.near_expiry(ON + timedelta(days=days_left), ON, 30) is near
    assert (flags.batch_near_expiry(batch(expires_on=ON + timedelta(days=days_left)), ON, 30)
            is not None) is near


def test_the_near_expiry_window_is_the_one_given():
    assert flags.near_expiry_until(ON, 7) == date(2026, 3, 17)
    assert flags.near_expiry(date(2026, 3, 18), ON, 7) is False


def test_a_batch_near_expiry_is_flagged_with_its_expiry_date():
    assert flags.batch_near_expiry(batch(expires_on=date(2026, 3, 20)), ON, 30) == Flag(
        "batch_near_expiry", "Fibro-Vein 0.2% batch B-100 expires 20 Mar 2026")


def test_a_stocktake_count_that_agrees_is_not_flagged():
    assert flags.stocktake_discrepancy(StocktakeLineFacts(5, 5, None)) is None


def test_a_stocktake_discrepancy_is_flagged_with_its_reason():
    assert flags.stocktake_discrepancy(StocktakeLineFacts(5, 4, "one broken")) == Flag(
        "stocktake_discrepancy", "expected 5, counted 4: one broken")
    assert flags.stocktake_discrepancy(StocktakeLineFacts(5, 6, None)).detail == (
        "expected 5, counted 6: no reason given")


def test_a_complication_reported_is_flagged_with_what_was_recorded():
    follow_up = FollowUpFacts(True, "moderate", "blistering", None)
    assert flags.complication(follow_up) == Flag("complication", "moderate; blistering")
    assert flags.complication(FollowUpFacts(False, None, "bruising", None)) is None


def test_the_flag_labels_read_as_they_always_have():
    assert FLAG_LABELS == {
        "gap_over_6_weeks": "More than 6 weeks since the previous session",
        "gp_not_confirmed": "GP visit advised but not confirmed",
        "signed_late": "Session not signed within 24 hours",
        "late_entry": "Recorded more than 24 hours after the event",
        "batch_near_expiry": "Batch used within its near-expiry window",
    }
    assert flags.EXCEPTION_LABELS["unsigned"] == "Session unsigned 24 hours after it started"
