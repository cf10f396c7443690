"""The slices of records a replay goes over in passes: every id in exactly one, the same in
the database's SQL as in Python, and as many passes as keep the rows within the setting."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from compliance import demo
from compliance.extensions import db
from compliance.services import audit_replay
from compliance.services.replay_slices import BUCKETS, MOST, Slice, largest_share, slices

ODD_IDS = ["", "a", "-5", "5 ", "٣", "é5", "12|7", "7|12", "0", "00", "-", "x9", None]


@given(st.text(max_size=12), st.integers(1, MOST))
def test_every_id_is_in_exactly_one_slice(key, count):
    assert len([records for records in slices(count) if records.holds(key)]) == 1


@pytest.mark.parametrize("count", [2, 3, 7, 10, MOST])
def test_the_database_slices_ids_and_keys_as_python_does(app, count):
    ids = list(range(-150, 1250))
    connection = db.session.connection()
    connection.execute(text("CREATE TEMPORARY TABLE sliced (id INTEGER, b INTEGER, "
                            "record_id TEXT)"))
    connection.execute(text("INSERT INTO sliced VALUES (:id, :b, :record_id)"),
                       [{"id": n, "b": n * 7, "record_id": str(n)} for n in ids]
                       + [{"id": None, "b": None, "record_id": odd} for odd in ODD_IDS])
    for records in slices(count):
        events = connection.exec_driver_sql(
            f"SELECT record_id FROM sliced WHERE 1 = 1{records.of_events()}").scalars()
        assert sorted(events, key=str) == sorted(
            (key for key in [*map(str, ids), *ODD_IDS] if records.holds(key or "")), key=str)
        rows = connection.exec_driver_sql(
            f"SELECT id, b FROM sliced{records.of_rows(('id', 'b'))}").all()
        keyless = [(None, None)] * len(ODD_IDS) if records.index == 0 else []
        assert sorted(row for row in rows if row[0] is not None) == [
            (n, n * 7) for n in ids if records.holds(f"{n}|{n * 7}")]
        assert [row for row in rows if row[0] is None] == keyless


def test_slices_are_even():
    for count in range(1, MOST + 1):
        sizes = [sum(records.holds(str(n)) for n in range(100_000))
                 for records in slices(count)]
        assert max(sizes) == round(largest_share(count) * 100_000)
        assert max(sizes) - min(sizes) <= 100_000 // BUCKETS


def test_one_slice_is_the_whole():
    assert Slice().whole and Slice().of_events() == "" and Slice().of_rows(("id",)) == ""


def test_the_passes_are_as_many_as_keep_the_largest_slice_within_the_memory_setting():
    one_mb = 2**20 // audit_replay.BYTES_PER_ROW
    assert audit_replay.passes_for(0, 4096) == 1
    assert audit_replay.passes_for(one_mb, 1) == 1
    assert audit_replay.passes_for(one_mb + 1, 1) == 2
    assert audit_replay.passes_for(3 * one_mb, 1) == 4  # three slices: the largest holds 34%
    assert audit_replay.passes_for(10**9, 1) == MOST  # the most there are, however little


def test_every_event_and_row_is_replayed_once_whatever_the_passes(app, runner):
    demo.load()
    whole = audit_replay.replay(passes=1)
    for passes in (2, 7, MOST):
        sliced = audit_replay.replay(passes=passes)
        assert sliced.ok and (sliced.events, sliced.rows) == (whole.events, whole.rows)
    outcome = runner.invoke(args=["audit", "replay", "--passes", "10"])
    assert outcome.exit_code == 0 and outcome.output.startswith(f"OK, {whole.events} events")
    assert outcome.output.rstrip().endswith("agree with them (in 10 passes)")
    assert runner.invoke(args=["audit", "replay", "--passes", str(MOST + 1)]).exit_code == 2
