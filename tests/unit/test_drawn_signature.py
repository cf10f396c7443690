"""The patient's drawn signature (strokes checked before anything is kept), the statement's
hash, and the rule that a consent is signed or says why not: pure, no database."""

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance import drawn_signature
from compliance.consent_text import consent_text, matches, text_sha256
from compliance.drawn_signature import read_strokes, strokes_json, svg_path
from compliance.errors import InvalidInput
from compliance.rules.consent import check_signed_or_excused
from tests.factories import SIGNATURE


def refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_strokes(text)
    assert message in caught.value.message and caught.value.field == "signature"


def test_a_signature_is_read_as_whole_numbered_strokes_and_kept_canonically():
    strokes = read_strokes(" [[[40.4, 120], [90, 60.6], [140, 130]], [[30, 160], [280, 165]]] ")
    assert strokes == [[(40, 120), (90, 61), (140, 130)], [(30, 160), (280, 165)]]
    assert strokes_json(strokes) == "[[[40,120],[90,61],[140,130]],[[30,160],[280,165]]]"


@pytest.mark.parametrize("text", [None, "", "   ", "[]"])
def test_nothing_drawn_is_no_signature(text):
    assert read_strokes(text) is None


@pytest.mark.parametrize("text", [
    "[[[100,100]]]",  # a tap
    "[[[100,100],[100,100],[101,100]]]",  # a dot, pressed
    "[[[100,100],[130,100]]]",  # a short tick: 30 units of ink
    "[[[100,100],[110,100],[100,100],[110,100],[100,100],[110,100],[100,100],[110,100]]]",
])
def test_a_dot_or_a_tick_is_refused_as_too_small(text):
    refused(text, "too small to be a signature")


@pytest.mark.parametrize("text, problem", [
    ("not json", "not a drawing"),
    ("{\"a\": 1}", "not a list of strokes"),
    ("[1, 2]", "not a list of strokes"),
    ("[[]]", "a stroke without points"),
    ("[[[1]]]", "not a pair of numbers"),
    ("[[[1, 2, 3]]]", "not a pair of numbers"),
    ("[[[\"1\", \"2\"]]]", "not a pair of numbers"),
    ("[[[true, false], [300, 100]]]", "not a pair of numbers"),
    ("[[[null, 1], [300, 100]]]", "not a pair of numbers"),
    ("[[[-1, 10], [300, 100]]]", "outside the box"),
    ("[[[10, 201], [300, 100]]]", "outside the box"),
    ("[[[601, 10], [300, 100]]]", "outside the box"),
    ("[[[NaN, 10], [300, 100]]]", "not a drawing"),
    ("[[[Infinity, 10], [300, 100]]]", "not a drawing"),
    ("[[[1e999, 10], [300, 100]]]", "outside the box"),
    ("[[[" + "9" * 5000 + ", 10]]]", "not a drawing"),
    ("[[[1" + "0" * 400 + ", 10], [300, 100]]]", "outside the box"),  # past a float's range
    ("[" * 100_000, "too much drawing"),
    ("[" * 5000 + "]" * 5000, "not a drawing"),
    (json.dumps([[[10, 10], [200, 100]]] * (drawn_signature.MAX_STROKES + 1)),
     "more than 60 strokes"),
    (json.dumps([[[x % 600, 100] for x in range(drawn_signature.MAX_POINTS + 1)]]),
     "more than 3,000 points"),
])
def test_malformed_or_unbounded_strokes_are_refused_with_what_was_wrong(text, problem):
    refused(text, problem)


def test_a_refused_drawing_asks_for_the_patient_to_sign_again():
    refused("[[[-5, 5]]]", "Clear the box and ask the patient to sign again.")


def test_the_strokes_are_drawn_back_as_an_svg_path_of_numbers_only():
    assert svg_path(SIGNATURE) == ("M40 120L90 60L140 130L200 70L260 125 M30 160L280 165")
    assert svg_path("[[[10,10]],[[20,20],[300,20]]]") == "M10 10l0 0 M20 20L300 20"
    for stored in (None, "", "[[[\"<script>\", 1]]]", "\"/><script>alert(1)</script>"):
        assert svg_path(stored) == ""


def test_the_statement_hash_is_the_sha256_of_its_exact_utf8_text():
    text = consent_text("Zoë Brontë", "P000042")
    assert "Zoë Brontë (patient P000042)" in text
    assert text_sha256(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert len(text_sha256(text)) == 64
    assert matches(text, text_sha256(text))
    assert not matches(text + " ", text_sha256(text))
    assert text_sha256(consent_text("Zoe Bronte", "P000042")) != text_sha256(text)


def test_a_consent_is_signed_or_says_why_not_never_neither_nor_both():
    check_signed_or_excused(True, "")
    check_signed_or_excused(False, "Patient unable to sign on tablet")
    with pytest.raises(InvalidInput) as neither:
        check_signed_or_excused(False, "")
    assert neither.value.field == "signature" and "give the reason" in neither.value.message
    with pytest.raises(InvalidInput) as both:
        check_signed_or_excused(True, "Unable to sign")
    assert both.value.field == "unsigned_reason"


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats()
                     | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=6)
                     | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=40)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.one_of(st.text(max_size=200), _JSON.map(json.dumps)))
def test_any_text_is_read_as_strokes_or_refused_never_failing(text):
    try:
        strokes = read_strokes(text)
    except InvalidInput as refusal:
        assert refusal.field == "signature"
        return
    assert strokes is None or read_strokes(strokes_json(strokes)) == strokes
    assert svg_path(strokes_json(strokes) if strokes else None).startswith("M" if strokes
                                                                           else "")
