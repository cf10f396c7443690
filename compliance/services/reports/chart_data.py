"""The figures behind the charts: stock movements, activity and exceptions per month."""

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import select

from compliance.charts import Series, bar_chart, line_chart
from compliance.extensions import db
from compliance.models import Product, StockMonth
from compliance.models.stock import ADMINISTRATION, RECEIPT, WASTE
from compliance.services.reports.common import Filters, last_twelve_months_start

KINDS = ((RECEIPT, "Received", 1), (ADMINISTRATION, "Administered", -1), (WASTE, "Wasted", -1))


def _months(keys) -> list[str]:
    return sorted(set(keys))


def stock_movements(filters: Filters) -> dict[str, dict[str, dict[str, int]]]:
    """product -> movement -> month -> microlitres, from the monthly sums kept with the
    ledger (a date range covers the months it touches)."""
    query = (select(Product.name, StockMonth.entry_type, StockMonth.month,
                    StockMonth.quantity_ul)
             .join(Product, Product.id == StockMonth.product_id)
             .where(StockMonth.entry_type.in_([kind for kind, _, _ in KINDS])))
    if filters.product_id:
        query = query.where(StockMonth.product_id == filters.product_id)
    if filters.date_from:
        query = query.where(StockMonth.month >= filters.date_from.replace(day=1))
    if filters.date_to:
        query = query.where(StockMonth.month <= filters.date_to)
    signs = {kind: sign for kind, _, sign in KINDS}
    data = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for product, kind, month, ul in db.session.execute(query):
        data[product][kind][f"{month:%Y-%m}"] += signs[kind] * int(ul or 0)
    return data


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
    cells = {(row.prescriber_name, row.month): row for row in rows}

    def series(value):
        return [Series(name, [value(cells.get((name, m))) for m in months]) for name in people]

    return [line_chart("Treatment sessions per month per prescriber", months,
                       series(lambda row: row.sessions if row else 0), "sessions"),
            line_chart("Volume administered per month per prescriber", months,
                       series(lambda row: row.volume_ul / 1000 if row else 0), "ml")]


def exception_chart(per_month: dict[str, int]) -> list:
    if not per_month:
        return []
    return [bar_chart("Compliance exceptions per month", list(per_month),
                      [Series("Exceptions", list(per_month.values()))], "exceptions")]
