"""A storage area's readings against its range (D7), drawn as SVG on the server like the
reports' charts (compliance/charts.py): a band for the range, a line through the readings over
the period's days, and a red mark on each reading out of range."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from math import floor

from markupsafe import Markup, escape

from compliance.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH
from compliance.charts import _svg as figure  # the charts' one figure: caption and words
from compliance.clock import clinic_zone
from compliance.rules.temperature import degrees, out_of_range, range_words

LINE, BAND, LIMIT, BAD, TEXT = "#1d4f91", "#e3f1e7", "#17663a", "#a11a1a", "#1c2430"
# Readings further apart than this are not joined: the gap between them shows.
JOIN_WITHIN = timedelta(hours=26)
# Below this many readings each is marked; above, only those out of range.
MARK_EACH_UP_TO = 120
# Above this many readings the line keeps each stretch's lowest and highest only: a year of a
# logger's readings would draw more points than the chart has pixels.
DRAWN_UP_TO = 1_500


@dataclass(frozen=True)
class Point:
    taken_at: datetime  # clinic-local
    temperature_c: Decimal


@dataclass(frozen=True)
class Scale:
    """Where a time and a temperature fall on the drawing."""

    start: datetime
    end: datetime
    low: float
    high: float

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        return LEFT + (WIDTH - LEFT - RIGHT) * (moment - self.start).total_seconds() / span

    def y(self, value) -> float:
        plot_h = HEIGHT - TOP - BOTTOM
        return TOP + plot_h - plot_h * (float(value) - self.low) / (self.high - self.low)


def _scale(points: list[Point], min_c, max_c, start: datetime, end: datetime) -> Scale:
    values = [float(p.temperature_c) for p in points] + [float(min_c), float(max_c)]
    low, high = floor(min(values)) - 1, floor(max(values)) + 2
    return Scale(start, end, low, high)


def _axes(scale: Scale, first: date, last: date) -> list[str]:
    parts, step = [], max(1, round((scale.high - scale.low) / 6))
    value = scale.low
    while value <= scale.high:
        y = scale.y(value)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#d5dbe3" stroke-width="1"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11" fill="{TEXT}">{value:g}</text>')
        value += step
    days = (last - first).days + 1
    every = max(1, -(-days // 8))
    for n in range(0, days, every):
        day = first + timedelta(days=n)
        x = scale.x(datetime.combine(day, datetime.min.time(), scale.start.tzinfo))
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
                     f'fill="{TEXT}">{day:%d %b}</text>')
    middle = TOP + (HEIGHT - TOP - BOTTOM) / 2
    return parts + [f'<text x="12" y="{middle:.1f}" font-size="11" fill="{TEXT}" '
                    f'transform="rotate(-90 12 {middle:.1f})" text-anchor="middle">°C</text>']


def _band(scale: Scale, min_c, max_c) -> list[str]:
    top, bottom = scale.y(max_c), scale.y(min_c)
    parts = [f'<rect x="{LEFT}" y="{top:.1f}" width="{WIDTH - LEFT - RIGHT}" '
             f'height="{bottom - top:.1f}" fill="{BAND}"/>']
    for value, y in ((min_c, bottom), (max_c, top)):
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="{LIMIT}" stroke-width="1.5" stroke-dasharray="6 4">'
                     f'<title>Limit {degrees(value)}</title></line>')
    return parts


def _lines(scale: Scale, points: list[Point]) -> list[str]:
    runs, run = [], []
    for point in points:
        if run and point.taken_at - run[-1].taken_at > JOIN_WITHIN:
            runs.append(run)
            run = []
        run.append(point)
    runs.append(run)
    return [_polyline(scale, run) for run in runs if len(run) > 1]


def _polyline(scale: Scale, run: list[Point]) -> str:
    path = " ".join(f"{scale.x(p.taken_at):.1f},{scale.y(p.temperature_c):.1f}" for p in run)
    return f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>'



def _marks(scale: Scale, points: list[Point], min_c, max_c) -> list[str]:
    parts = []
    for point in points:
        bad = out_of_range(point.temperature_c, min_c, max_c)
        if bad or len(points) <= MARK_EACH_UP_TO:
            parts.append(f'<circle cx="{scale.x(point.taken_at):.1f}" '
                         f'cy="{scale.y(point.temperature_c):.1f}" r="{4.5 if bad else 3}" '
                         f'fill="{BAD if bad else LINE}"><title>{point.taken_at:%d %b %Y %H:%M}'
                         f': {escape(degrees(point.temperature_c))}</title></circle>')
    return parts


def thinned(points: list[Point], most: int = DRAWN_UP_TO) -> list[Point]:
    """At most about `most` points, in time order: each stretch's lowest and highest, so that
    no excursion is smoothed away."""
    if len(points) <= most:
        return points
    size = -(-len(points) * 2 // most)
    kept = []
    for start in range(0, len(points), size):
        stretch = points[start:start + size]
        low = min(stretch, key=lambda p: p.temperature_c)
        high = max(stretch, key=lambda p: p.temperature_c)
        kept.extend(sorted({low, high}, key=lambda p: p.taken_at))
    return kept


def describe(points: list[Point], min_c, max_c) -> str:
    """The chart in words: the range, how many readings, their extremes, those out of range."""
    said = f"Range {range_words(min_c, max_c)}."
    if not points:
        return said + " No readings in this period."
    values = [p.temperature_c for p in points]
    bad = [p for p in points if out_of_range(p.temperature_c, min_c, max_c)]
    said += (f" {len(points)} readings, lowest {degrees(min(values))}, highest "
             f"{degrees(max(values))}; {len(bad)} out of range")
    return said + ("." if not bad else ": " + ", ".join(
        f"{degrees(p.temperature_c)} at {p.taken_at:%d %b %Y %H:%M}" for p in bad[:20]) + ".")


def readings_chart(title: str, points: list[Point], min_c, max_c, first: date,
                   last: date) -> Markup:
    """The readings of the days `first` to `last` against the range `min_c` to `max_c`."""
    zone = clinic_zone()
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    scale = _scale(points, min_c, max_c, start, end)
    drawn = thinned(points)
    body = (_band(scale, min_c, max_c) + _axes(scale, first, last) + _lines(scale, drawn)
            + _marks(scale, drawn, min_c, max_c))
    return figure(title, body, describe(points, min_c, max_c))
