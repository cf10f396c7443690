"""The hash's input is defined by the standard library's JSON encoder (compact, UTF-8, non-ASCII
unescaped: the README's "Checking the audit trail by hand"); orjson only writes it faster.
These tests hold the two to the same bytes, and replay's reading of an event's changes to the
standard library's reading."""

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.services.audit import GENESIS, encoded, hash_raw
from compliance.services.replay_columns import ReplayColumn, ReplayTable
from compliance.services.replay_fold import Layout, fold

DEFINING = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# Text the databases can hold: any character but NUL and lone surrogates (neither
# SQLite's UTF-8 nor PostgreSQL's text can store them).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
FIELD = st.one_of(st.none(), TEXT, st.integers(-(2**63), 2**63 - 1))
EXAMPLES = settings(max_examples=400, deadline=None, derandomize=True, database=None)


@EXAMPLES
@given(st.lists(FIELD, max_size=12))
def test_the_fast_encoding_is_the_defining_one(values):
    assert encoded(values) == DEFINING(values).encode()
    assert encoded(tuple(values)) == DEFINING(values).encode()


def test_control_characters_quotes_and_line_separators_are_escaped_alike():
    values = ["\x01\x1f\x7f", '"\\/', "\b\f\n\r\t", "\u2028\u2029", "é☃𝄞", None, 0]
    assert encoded(values) == DEFINING(values).encode()


def test_integers_past_64_bits_fall_back_to_the_defining_encoder():
    values = [2**70, -(2**70), "x"]
    assert encoded(values) == DEFINING(values).encode()
    assert hash_raw(values) == hashlib.sha256(DEFINING(values).encode()).hexdigest()


def test_a_known_event_keeps_its_digest():
    """Pinned: a change of encoder that moved one byte would break every chain already kept."""
    fields = ["2026-01-02 03:04:05.000006", 1, "Dr A", "create", "batches", "7",
              '{"lot":[null,"L1"]}', None, None, None, GENESIS]
    assert hash_raw(fields) == "8ac83124aee2dff71fcf9e1aff7d209dc3b4d6d1f34744b19ccbce3ae8b0c31e"
    assert hash_raw(tuple(fields)) == hash_raw(fields)


def _replayed(changes_text: str, names: list[str]) -> tuple | None:
    """The row one `create` event leaves, as replay folds it."""
    columns = tuple(ReplayColumn(name, name, None, None, False) for name in names)
    layouts = {"things": Layout(ReplayTable("things", ("id",), columns))}
    count, problems = fold([[("things", "1", "create", changes_text)]], layouts)
    assert (count, problems) == (1, {})
    return layouts["things"].rows["1"]


@EXAMPLES
@given(st.dictionaries(TEXT, st.lists(FIELD, min_size=2, max_size=2), min_size=1, max_size=8))
def test_replay_reads_changes_as_the_standard_library_does(changes):
    text = json.dumps(changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    names = sorted(changes)
    assert _replayed(text, names) == tuple(json.loads(text)[name][1] for name in names)


def test_replay_reads_what_orjson_refuses_through_the_standard_library():
    text = '{"amount":[null,123456789012345678901234567890],"ratio":[null,NaN]}'
    amount, ratio = _replayed(text, ["amount", "ratio"])
    assert amount == 123456789012345678901234567890
    assert ratio != ratio  # NaN, as json.loads reads it
