"""Bar and line charts drawn as SVG on the server: no script, no CDN, styled only with
presentation attributes (the CSP forbids inline style), so they work on screen and in PDF.
Each comes in a figure with a caption, and says its figures in words (the SVG's desc)."""

from dataclasses import dataclass
from itertools import count
from math import ceil, log10

from markupsafe import Markup, escape

PALETTE = ("#1d4f91", "#c26a00", "#a11a1a", "#17663a", "#6b3fa0", "#5a6472")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 64
_ids = count(1)


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n at or above `value` (a readable axis top)."""
    if value <= 0:
        return 1
    magnitude = 10 ** int(log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:g}"


def _frame(title: str, top: float, unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#d5dbe3" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#1c2430">{_number(top * i / 4)}</text>')
    parts.append(f'<text x="12" y="{TOP + plot_h / 2:.1f}" font-size="11" fill="#1c2430" '
                 f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})" text-anchor="middle">'
                 f'{escape(unit)}</text>')
    return parts


def _legend(series: list[Series]) -> list[str]:
    parts, x = [], LEFT
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{HEIGHT - 8}" font-size="12" fill="#1c2430">'
                     f'{escape(item.label)}</text>')
        x += 24 + 7 * len(item.label)
    return parts


def _labels(categories: list[str], slot: float) -> list[str]:
    every = max(1, ceil(len(categories) / 12))
    return [f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
            f'text-anchor="middle" fill="#1c2430">{escape(label)}</text>'
            for i, label in enumerate(categories) if i % every == 0]


def describe(categories: list[str], series: list[Series], unit: str = "") -> str:
    """The chart's figures in words, for a screen reader and for anyone who cannot see the
    bars: "Received (ml): 2026-01 10, 2026-02 5. Used (ml): ..."."""
    if not categories:
        return "No figures to show."
    said = f" ({unit})" if unit else ""
    return " ".join(f"{item.label}{said}: " + ", ".join(
        f"{category} {_number(value)}" for category, value in zip(categories, item.values,
                                                                  strict=False)) + "."
        for item in series)


def _svg(title: str, body: list[str], description: str) -> Markup:
    """The chart in a figure: its title as the SVG's title and the figure's caption, its
    figures in words as the SVG's description."""
    ident = f"chart-{next(_ids)}"
    return Markup(f'<figure class="chart-figure"><svg xmlns="http://www.w3.org/2000/svg" '
                  f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
                  f'role="img" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" '
                  f'class="chart"><title id="{ident}-title">{escape(title)}</title>'
                  f'<desc id="{ident}-desc">{escape(description)}</desc>'
                  + "".join(body) + f"</svg><figcaption>{escape(title)}</figcaption></figure>")


def bar_chart(title: str, categories: list[str], series: list[Series], unit: str = "") -> Markup:
    """Grouped bars: one group per category, one bar per series."""
    top = nice_ceiling(max((v for s in series for v in s.values), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))
    bar = slot * 0.8 / max(1, len(series))
    body = _frame(title, top, unit)
    for s_index, item in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        for c_index, value in enumerate(item.values):
            height = plot_h * value / top
            x = LEFT + slot * c_index + slot * 0.1 + bar * s_index
            body.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{bar:.1f}" '
                        f'height="{height:.1f}" fill="{colour}"><title>'
                        f'{escape(item.label)}, {escape(categories[c_index])}: '
                        f'{_number(value)} {escape(unit)}</title></rect>')
    return _svg(title, body + _labels(categories, slot) + _legend(series),
                describe(categories, series, unit))


def line_chart(title: str, categories: list[str], series: list[Series], unit: str = "") -> Markup:
    """One line per series across the categories (e.g. months)."""
    top = nice_ceiling(max((v for s in series for v in s.values), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))
    body = _frame(title, top, unit)
    for s_index, item in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * v / top)
                  for i, v in enumerate(item.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
                    for x, y in points)
    return _svg(title, body + _labels(categories, slot) + _legend(series),
                describe(categories, series, unit))
