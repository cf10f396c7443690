"""The figures behind the charts: stock movements, activity and exceptions per month."""

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import func, select

from compliance.charts import Series, bar_chart, line_chart
from compliance.extensions import db
from compliance.models import Product, StockMonth
from compliance.models.stock import ADMINISTRATION, RECEIPT, WASTE
from compliance.services.reports.common import (
    Filters,
    at_locations,
    last_twelve_months_start,
)

KINDS = ((RECEIPT, "Received", 1), (ADMINISTRATION, "Administered", -1), (WASTE, "Wasted", -1))


def _months(keys) -> list[str]:
    return sorted(set(keys))


def stock_movements(filters: Filters) -> dict[str, dict[str, dict[str, int]]]:
    """product -> movement -> month -> microlitres, from the monthly sums kept with the
    ledger (a date range covers the months it touches)."""
    signs = {kind: sign for kind, _, sign in KINDS}
    data = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for product, kind, month, ul in _kept_movements(filters):
        data[product][kind][f"{month:%Y-%m}"] += signs[kind] * int(ul or 0)
    return data


def _kept_movements(filters: Filters):
    """(product, kind, month, microlitres) at the filters' locations, from the monthly sums
    kept per location with the ledger (a location's were summed from its ledger entries day
    by day: 35 ms at national scale)."""
    query = (select(Product.name, StockMonth.entry_type, StockMonth.month,
                    func.sum(StockMonth.quantity_ul))
             .join(Product, Product.id == StockMonth.product_id)
             .where(StockMonth.entry_type.in_([kind for kind, _, _ in KINDS]))
             .group_by(Product.name, StockMonth.entry_type, StockMonth.month))
    if filters.product_id:
        query = query.where(StockMonth.product_id == filters.product_id)
    if filters.date_from:
        query = query.where(StockMonth.month >= filters.date_from.replace(day=1))
    if filters.date_to:
        query = query.where(StockMonth.month <= filters.date_to)
    return db.session.execute(at_locations(query, StockMonth.location_id, filters))


def stock_charts(filters: Filters) -> list:
    """Bars per month for the date range, or for the last twelve months when none is chosen
    (ten years of months would not be readable, nor quick to sum)."""
    suffix = ""
    if not (filters.date_from or filters.date_to):
        filters, suffix = replace(filters, date_from=last_twelve_months_start()), ", last 12 months"
    charts = []
    for product, movements in sorted(stock_movements(filters).items()):
        months = _months(m for by_month in movements.values() for m in by_month)
        series = [Series(label, [movements[kind].get(m, 0) / 1000 for m in months])
                  for kind, label, _ in KINDS]
        charts.append(bar_chart(f"{product}: received, administered and wasted per month"
                                f"{suffix}",
                                months, series, "ml"))
    return charts


def activity_charts(rows) -> list:
    """Sessions and volume per month, one line per prescriber."""
    months = _months(row.month for row in rows)
    if not months:
        return []
    people = sorted({row.prescriber_name for row in rows})
    # A prescriber's sessions at every location of the report, month by month.
    sessions, volume_ul = defaultdict(int), defaultdict(int)
    for row in rows:
        sessions[row.prescriber_name, row.month] += row.sessions
        volume_ul[row.prescriber_name, row.month] += row.volume_ul

    def series(value):
        return [Series(name, [value(name, m) for m in months]) for name in people]

    return [line_chart("Treatment sessions per month per prescriber", months,
                       series(lambda name, m: sessions[name, m]), "sessions"),
            line_chart("Volume administered per month per prescriber", months,
                       series(lambda name, m: volume_ul[name, m] / 1000), "ml")]


def exception_chart(per_month: dict[str, int]) -> list:
    if not per_month:
        return []
    return [bar_chart("Compliance exceptions per month", list(per_month),
                      [Series("Exceptions", list(per_month.values()))], "exceptions")]
