"""The slices of records a replay goes over in passes: every id in exactly one, the same in
SQL as in Python."""

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from compliance import demo
from compliance.services import audit_replay
from compliance.services.replay_slices import Slice, slices


@given(st.text(max_size=12), st.integers(1, 10))
def test_every_id_is_in_exactly_one_slice_and_sql_agrees(key, count):
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE audit_events (record_id TEXT)")
    connection.execute("INSERT INTO audit_events VALUES (?)", (key,))
    holding = [part for part in slices(count) if part.holds(key)]
    assert len(holding) == 1
    for part in slices(count):
        found = connection.execute(
            f"SELECT count(*) FROM audit_events WHERE 1 = 1{part.of_events()}").fetchone()[0]
        assert found == (part in holding)


def test_a_missing_id_is_in_the_first_slice():
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (id INTEGER, record_id TEXT)")
    connection.execute("INSERT INTO t VALUES (NULL, NULL)")
    for part in slices(3):
        found = connection.execute(f"SELECT count(*) FROM t WHERE 1 = 1{part.of_events()}")
        assert found.fetchone()[0] == (part.index == 0)


def test_rows_are_sliced_by_the_last_character_of_their_key():
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (a INTEGER, b INTEGER)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", [(n, n * 7) for n in range(-30, 31)])
    for part in slices(4):
        rows = connection.execute(f"SELECT a, b FROM t{part.of_rows(('a', 'b'))}").fetchall()
        assert rows == [(a, b) for a, b in connection.execute("SELECT a, b FROM t")
                        if part.holds(f"{a}|{b}")]


def test_one_slice_is_the_whole():
    assert Slice().whole and Slice().of_events() == "" and Slice().of_rows(("id",)) == ""


def test_every_event_and_row_is_replayed_once_whatever_the_passes(app, runner):
    demo.load()
    whole = audit_replay.replay(passes=1)
    for passes in (2, 7, 10):
        sliced = audit_replay.replay(passes=passes)
        assert sliced.ok and (sliced.events, sliced.rows) == (whole.events, whole.rows)
    outcome = runner.invoke(args=["audit", "replay", "--passes", "10"])
    assert outcome.exit_code == 0 and outcome.output.startswith(f"OK, {whole.events} events")
    assert outcome.output.rstrip().endswith("agree with them (in 10 passes)")
    assert runner.invoke(args=["audit", "replay", "--passes", "11"]).exit_code == 2


def test_the_passes_are_as_many_as_keep_the_rows_within_the_memory_setting():
    one_mb = 2**20 // audit_replay.BYTES_PER_ROW
    assert audit_replay.passes_for(0, 4096) == 1
    assert audit_replay.passes_for(one_mb, 1) == 1
    assert audit_replay.passes_for(one_mb + 1, 1) == 2
    assert audit_replay.passes_for(10**9, 1) == 10  # one per last digit, however little
