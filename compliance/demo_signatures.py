"""Demo patients' signatures, drawn the way a hand would on the tablet: a looping cursive line
for the name and a flourish under it, as the strokes the consent form sends (JSON)."""

import json
import math

from compliance.drawn_signature import HEIGHT, WIDTH

# A cursive loop: the pen moves right while circling (a prolate cycloid), one loop per letter.
_STEPS_PER_LETTER = 14
_ADVANCE = 26  # box units per letter


def _name_stroke(name: str) -> list[list[int]]:
    letters = [c for c in name.lower() if c.isalpha()][:18]
    points, x0 = [], 40.0
    for index, letter in enumerate(letters):
        # Taller loops for letters with ascenders, as a hand makes them.
        radius = 34 if letter in "bdfhklt" else 20
        for step in range(_STEPS_PER_LETTER):
            angle = 2 * math.pi * step / _STEPS_PER_LETTER
            x = x0 + _ADVANCE * (index + step / _STEPS_PER_LETTER) - 12 * math.sin(angle)
            y = 115 - radius * (1 - math.cos(angle)) / 2 - 6 * math.sin(angle)
            points.append([round(min(max(x, 0), WIDTH)), round(min(max(y, 0), HEIGHT))])
    return points


def _flourish(length_units: int) -> list[list[int]]:
    end = min(40 + length_units, WIDTH - 20)
    return [[x, round(150 + 6 * math.sin(x / 40))] for x in range(30, end, 12)]


def demo_signature(name: str) -> str:
    """The strokes of `name` signed on the tablet, as the form would send them."""
    stroke = _name_stroke(name)
    return json.dumps([stroke, _flourish(stroke[-1][0])])
