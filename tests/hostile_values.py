"""Values an attacker or a slip of the hand puts into a form or a query string: strategies
for hypothesis, mixed with the values the page itself offers so requests also get past the
first check and into the services."""

from datetime import date, timedelta
from functools import cache

from hypothesis import strategies as st

EXTREME_INTS = (0, -1, 1, 7, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, 2**64,
                10**25, -(10**25), 99_999_999_999_999_999_999_999)
ODD_TEXT = (
    "", " ", "\x00", "a\x00b", "\x01\x02\x1f\x7f", "\t", "\r\n", "\x0b\x0c", "\u2028",
    "NaN", "nan", "sNaN", "Infinity", "-inf", "1e999999", "-1e-999999", "-0", "0x1A", "1_000",
    " 7 ", "+5", "07", "１２", "²", "½", "٣", "0001-01-01", "1899-12-31", "1900-01-01",
    "9999-12-31", "2024-02-30", "10000-01-01", "-2024-01-01", "31/12/2024", "2024-1-1",
    "<script>alert(1)</script>", "' OR '1'='1", "%00", "\u202e", "😀", "\ufeff", "null",
    "None", "true", "[]", "{}", "../../etc/passwd", "x" * 41, "A" * 255, "ü" * 300,
)
# Long text: mostly around the limits of the forms, now and then a megabyte (a form body may
# carry two). A query string stays within what gunicorn takes in a request line (4,094 bytes).
HUGE_LENGTHS = (1_001, 2_001, 4_001, 20_001) * 4 + (1_000_001,)
QUERY_LONGEST = 4_001

printable = st.characters(exclude_categories=("Cs",))  # no lone surrogates: HTTP can't send them
integers = st.one_of(st.sampled_from(EXTREME_INTS), st.integers()).map(str)
decimals = st.decimals(allow_nan=True, allow_infinity=True).map(str)
dates = st.one_of(
    st.dates().map(date.isoformat),
    st.integers(-400, 400).map(lambda days: (date.today() + timedelta(days)).isoformat()))
texts = st.one_of(st.text(printable, max_size=40), st.text(max_size=8, alphabet=st.characters(
    max_codepoint=0x20)), st.sampled_from(ODD_TEXT))


@cache
def hostile(longest: int) -> st.SearchStrategy[str]:
    huge = st.sampled_from([n for n in HUGE_LENGTHS if n <= longest]).flatmap(
        lambda n: st.sampled_from(("x", "é", "\x00", "<", "1")).map(lambda c: c * n))
    return st.one_of(texts, texts, integers, decimals, dates, huge)


def field_value(seen: set[str], longest: int) -> st.SearchStrategy:
    """Nothing (the field missing), one value (mostly one the page offered, when it offered
    any), or the field given twice."""
    offered = sorted(value for value in seen if value)
    plausible = st.sampled_from(offered) if offered else texts
    # Mostly what the page offered, so that a request with one or two hostile values gets
    # past the other fields' checks and into the services.
    one = st.one_of(*[plausible] * 6, *[hostile(longest)] * 2)
    return st.one_of(st.none(), *[one] * 8, st.lists(one, min_size=2, max_size=2))


def values_for(fields: dict[str, set[str]], query: bool = False) -> st.SearchStrategy[dict]:
    """A value (or none) for every field, of a query string or of a form body."""
    return _values_for(tuple((name, frozenset(seen)) for name, seen in fields.items()), query)


# Built once per set of fields: hypothesis works out a new strategy's properties the first
# time it draws from it, which costs more than the draw; the values drawn are the same.
@cache
def _values_for(fields: tuple[tuple[str, frozenset[str]], ...], query: bool):
    longest = QUERY_LONGEST if query else max(HUGE_LENGTHS)
    return st.fixed_dictionaries({name: field_value(seen, longest) for name, seen in fields})
