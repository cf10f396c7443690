"""A signature drawn on the tablet, as vector strokes (pure: no Flask, no database).

The browser sends the strokes as JSON: a list of strokes, each a list of [x, y] points in the
drawing box's own units (WIDTH by HEIGHT, whatever size the box is shown at). Nothing sent is
trusted: the text is bounded before it is parsed, the shape and every number are checked, and
what is kept is re-written canonically (whole numbers), so that the record and the SVG drawn
from it hold only what was checked.
"""

import itertools
import json
import math

from compliance.errors import InvalidInput

# The drawing box, in the units of the points (the <canvas>'s own width and height).
WIDTH, HEIGHT = 600, 200
# Bounds that a real signature never meets and a hostile one cannot exceed.
MAX_STROKES = 60
MAX_POINTS = 3000
# 3,000 points at "[600,200]," (10 characters) with brackets for each stroke, and room to spare.
MAX_TEXT = 40_000
# A signature is more than a dot or a tap: its ink runs at least this far, and spans at least
# this much of the box one way or the other (in box units: 5% of the width).
MIN_INK_LENGTH = 60
MIN_SPAN = 30

FIELD = "signature"
SIGN_AGAIN = "Clear the box and ask the patient to sign again."


def _refuse(problem: str) -> InvalidInput:
    return InvalidInput(f"The patient's signature could not be read ({problem}). {SIGN_AGAIN}",
                        field=FIELD)


def _no_constants(name: str):
    raise ValueError(f"{name} is not a number")


def _parsed(text: str):
    if len(text) > MAX_TEXT:
        raise _refuse("too much drawing")
    try:
        return json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise _refuse("not a drawing") from None


def _coordinate(value, limit: int) -> int:
    # bool is an int to Python, never a coordinate; floats must be finite and in the box.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse("a point is not a pair of numbers")
    # The range first: it is exact for integers of any size, which isfinite cannot take.
    if not (0 <= value <= limit and math.isfinite(value)):
        raise _refuse("a point lies outside the box")
    return round(value)


def _point(value) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise _refuse("a point is not a pair of numbers")
    return _coordinate(value[0], WIDTH), _coordinate(value[1], HEIGHT)


def _list_of_lists(data) -> list[list]:
    if not isinstance(data, list) or not all(isinstance(stroke, list) for stroke in data):
        raise _refuse("not a list of strokes")
    return data


def _strokes(data) -> list[list[tuple[int, int]]]:
    data = _list_of_lists(data)
    if len(data) > MAX_STROKES:
        raise _refuse(f"more than {MAX_STROKES} strokes")
    if sum(len(stroke) for stroke in data) > MAX_POINTS:
        raise _refuse(f"more than {MAX_POINTS:,} points")
    if any(not stroke for stroke in data):
        raise _refuse("a stroke without points")
    return [[_point(point) for point in stroke] for stroke in data]


def ink_length(strokes: list[list[tuple[int, int]]]) -> float:
    """How far the pen travelled on the box, over every stroke."""
    return sum(math.dist(a, b) for stroke in strokes for a, b in itertools.pairwise(stroke))


def span(strokes: list[list[tuple[int, int]]]) -> int:
    """The larger side of the smallest box holding every point."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def read_strokes(text: str | None) -> list[list[tuple[int, int]]] | None:
    """The strokes `text` describes, checked; None when nothing was drawn (no text, or no
    strokes). InvalidInput, on the signature field, for anything else that is not a
    signature: malformed, out of bounds, or too slight (a dot, a tap, a tick)."""
    text = (text or "").strip()
    if not text:
        return None
    strokes = _strokes(_parsed(text))
    if not strokes:
        return None
    if ink_length(strokes) < MIN_INK_LENGTH or span(strokes) < MIN_SPAN:
        raise InvalidInput("The drawing is too small to be a signature (a dot or a short "
                           f"mark). {SIGN_AGAIN}", field=FIELD)
    return strokes


def strokes_json(strokes: list[list[tuple[int, int]]]) -> str:
    """The canonical text kept on the record: compact JSON of whole numbers."""
    return json.dumps([[list(point) for point in stroke] for stroke in strokes],
                      separators=(",", ":"))


def svg_path(stored: str | None) -> str:
    """An SVG path's `d` drawing the stored strokes (a one-point stroke as a dot); "" for
    none. Only numbers reach the path: what was stored is read back through `read_strokes`'
    checks, except the minimal-drawing one (the record shows what was kept)."""
    if not stored:
        return ""
    try:
        strokes = _strokes(_parsed(stored))
    except InvalidInput:
        return ""
    parts = []
    for (x, y), *rest in strokes:
        parts.append(f"M{x} {y}" + ("".join(f"L{px} {py}" for px, py in rest) or "l0 0"))
    return " ".join(parts)
