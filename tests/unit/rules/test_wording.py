"""Every rule a refusal can name reads as plain words: no section code of the specification
("D4.5") reaches a person, and a capability names the act it refused."""

import inspect

import pytest

from compliance import errors
from compliance.rules.limits import MIN_DAYS_BETWEEN_SESSIONS
from compliance.rules.wording import RULE_WORDS, rule_words

RULES = sorted({cls.rule for _name, cls in inspect.getmembers(errors, inspect.isclass)
                if issubclass(cls, errors.DomainError)})


def looks_like_a_section_code(text: str) -> bool:
    return any(word[:1] == "D" and word[1:2].isdigit() for word in text.split())


@pytest.mark.parametrize("code", RULES)
def test_every_rule_an_error_names_reads_without_a_section_code(code):
    words = rule_words(code)
    assert words and not looks_like_a_section_code(words)
    assert words[0].isupper()


def test_every_rule_of_d3_and_d4_has_words_of_its_own():
    coded = [code for code in RULES if looks_like_a_section_code(code)]
    assert len(coded) >= 20 and set(coded) <= RULE_WORDS.keys()
    assert len({RULE_WORDS[code] for code in coded}) == len(coded)


@pytest.mark.parametrize(("code", "words"), [
    (f"D4.5 {MIN_DAYS_BETWEEN_SESSIONS} days between sessions",
     f"At least {MIN_DAYS_BETWEEN_SESSIONS} days between sessions"),
    ("D4.8 legs only", "Treatment on the legs only"),
    ("D4.7 insufficient stock", "Enough stock in the batch"),
    ("D3 prescribed by a doctor", "Only a doctor may write or sign a prescription"),
    ("capability: record_injection", "Not allowed for this account: record injection"),
    ("second person", "Second person"),
])
def test_a_code_reads_as_the_rule_it_names(code, words):
    assert rule_words(code) == words


def test_a_code_the_trail_kept_from_an_older_version_still_loses_its_section():
    assert rule_words("D4.9 some later rule") == "Some later rule"
    assert rule_words("D5") == "A compliance rule"


def test_no_rule_reads_as_nothing():
    assert rule_words(None) == "" and rule_words("") == ""
