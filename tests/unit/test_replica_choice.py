"""Which database a report reads from, decided from what the replica says of itself: no
database needed."""

import pytest

from compliance.replica import Source, Standing, choose, lag_seconds

STREAMING = Standing(in_recovery=True, receiving=True, caught_up=True, replay_age=3600.0)


def standing(**changes) -> Standing:
    return Standing(**{**STREAMING.__dict__, **changes})


def test_a_replica_that_replayed_all_it_received_is_not_behind_however_idle_the_primary():
    # The last commit replayed is an hour old because nothing was written since.
    assert lag_seconds(STREAMING) == 0.0
    assert choose(STREAMING, max_lag=30) == Source(True, 0.0)


def test_while_wal_waits_to_be_replayed_the_replica_is_as_old_as_its_last_replayed_commit():
    waiting = standing(caught_up=False, replay_age=0.4)
    assert lag_seconds(waiting) == 0.4
    assert choose(waiting, max_lag=30).words == "Reports read from the replica, 0.4 s behind."


def test_a_clock_a_little_ahead_on_the_primary_is_no_negative_lag():
    assert lag_seconds(standing(caught_up=False, replay_age=-0.02)) == 0.0


def test_a_replica_more_than_the_setting_behind_is_passed_over_for_the_primary():
    source = choose(standing(caught_up=False, replay_age=42.0), max_lag=30)
    assert not source.replica and source.lag == 42.0
    assert source.words == ("Reports read from the primary database: the replica is 42.0 s "
                            "behind, more than the 30 s allowed.")
    assert choose(standing(caught_up=False, replay_age=30.0), max_lag=30).replica


def test_a_replica_that_cannot_be_reached_is_passed_over_for_the_primary():
    assert choose(None, max_lag=30).words == (
        "Reports read from the primary database: the replica cannot be reached.")


@pytest.mark.parametrize("changes, reason", [
    # Lost its primary, or the primary removed the WAL it needs: it cannot know what it lacks.
    ({"receiving": False}, "the replica is not receiving from the primary"),
    # Promoted, or REPORTS_DATABASE_URL names a primary: it follows nothing any more.
    ({"in_recovery": False, "receiving": False},
     "the reports database is not a replica in recovery"),
    # Started, streaming, replaying its first WAL: no commit replayed yet to date it by.
    ({"caught_up": False, "replay_age": None}, "how far behind the replica is is not known yet"),
])
def test_a_replica_whose_lag_is_unknown_is_passed_over_for_the_primary(changes, reason):
    source = choose(standing(**changes), max_lag=30)
    assert not source.replica and source.lag is None
    assert source.words == f"Reports read from the primary database: {reason}."
