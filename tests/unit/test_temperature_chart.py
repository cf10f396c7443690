"""The chart of an area's readings against its range: its words, and a long period drawn
without losing an excursion."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from compliance.temperature_chart import Point, describe, readings_chart, thinned

START = datetime(2026, 3, 1, tzinfo=ZoneInfo("Europe/London"))


def points(values) -> list[Point]:
    return [Point(START + timedelta(minutes=30 * n), Decimal(v)) for n, v in enumerate(values)]


def test_the_chart_says_its_range_readings_and_those_out_of_range_in_words():
    said = describe(points(["5.0", "9.4", "4.0"]), Decimal("2"), Decimal("8"))
    assert said == ("Range 2.0 to 8.0 °C. 3 readings, lowest 4.0 °C, highest 9.4 °C; 1 out of "
                    "range: 9.4 °C at 01 Mar 2026 00:30.")
    assert describe([], Decimal("2"), Decimal("8")).endswith("No readings in this period.")


def test_a_long_period_is_thinned_to_each_stretchs_extremes_keeping_every_excursion():
    values = ["5.0"] * 20_000
    values[12_345], values[777] = "9.9", "0.5"
    kept = thinned(points(values))
    assert len(kept) <= 1_600
    assert {str(p.temperature_c) for p in kept} >= {"9.9", "0.5"}
    assert [p.taken_at for p in kept] == sorted(p.taken_at for p in kept)


def test_the_chart_is_a_captioned_figure_with_a_mark_on_each_reading_out_of_range(app):
    chart = str(readings_chart("Fridge", points(["5.0", "9.4", "4.0"]), Decimal("2"),
                               Decimal("8"), date(2026, 3, 1), date(2026, 3, 1)))
    assert chart.startswith('<figure class="chart-figure"><svg') and "<figcaption>Fridge" in chart
    assert chart.count('fill="#a11a1a"') == 1 and chart.count("<polyline") == 1
