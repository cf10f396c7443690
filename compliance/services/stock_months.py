"""Stock moved per product, location and month, kept with each ledger entry so that charts
and a location's reconciliation need not sum the whole ledger."""

from datetime import date

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Date, cast, delete, event, func, insert, select

from compliance.database import insert_for, per_transaction
from compliance.extensions import db
from compliance.models.stock import Batch, LedgerEntry
from compliance.models.stock_month import StockMonth

PENDING = per_transaction("stock_months_pending")  # this transaction's sums, kept at commit


def add(product_id: int, location_id: int, entry_type: str, day: date,
        quantity_ul: int) -> None:
    """Add one entry to its month at its location when the transaction commits."""
    pending = db.session.info.setdefault(PENDING, {})
    key = (product_id, location_id, day.replace(day=1), entry_type)
    quantity, entries = pending.get(key, (0, 0))
    pending[key] = (quantity + quantity_ul, entries + 1)


# First among the commit hooks: the month rows are locked after every batch row the
# transaction took, in one order for all writers, and before the audit chain lock; so writers
# cannot deadlock over them.
@event.listens_for(FlaskSession, "before_commit", insert=True)
def _keep(session) -> None:
    session.flush()  # the commit's own flush takes its row locks before the month rows'
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    connection = session.connection()
    table, insert_here = StockMonth.__table__, insert_for(connection)
    for (product_id, location_id, month, kind), (quantity_ul, entries) in sorted(
            pending.items()):
        statement = insert_here(table).values(product_id=product_id, location_id=location_id,
                                                 month=month, entry_type=kind,
                                                 quantity_ul=quantity_ul, entries=entries)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c.product_id, table.c.location_id, table.c.month,
                            table.c.entry_type],
            set_={"quantity_ul": table.c.quantity_ul + statement.excluded.quantity_ul,
                  "entries": table.c.entries + statement.excluded.entries}))


def _month_start(connection):
    if connection.dialect.name == "postgresql":
        return cast(func.date_trunc("month", LedgerEntry.occurred_on), Date)
    return func.date(LedgerEntry.occurred_on, "start of month")


def from_ledger(connection):
    """The monthly sums and counts as the ledger gives them."""
    month = _month_start(connection)
    return (select(Batch.product_id, LedgerEntry.location_id, month.label("month"),
                   LedgerEntry.entry_type, func.sum(LedgerEntry.quantity_ul).label("quantity_ul"),
                   func.count().label("entries"))
            .join(Batch, Batch.id == LedgerEntry.batch_id)
            .group_by(Batch.product_id, LedgerEntry.location_id, month, LedgerEntry.entry_type))


def rebuild(connection) -> None:
    """Recompute every month from the ledger (after a bulk load)."""
    table = StockMonth.__table__
    connection.execute(delete(table))
    connection.execute(insert(table).from_select(
        ["product_id", "location_id", "month", "entry_type", "quantity_ul", "entries"],
        from_ledger(connection)))


def mismatches() -> list[str]:
    """Months whose kept sum or count differs from the ledger, described for a person."""
    connection = db.session.connection()
    ledger = {(p, loc, str(m), t): (int(q), n)
              for p, loc, m, t, q, n in connection.execute(from_ledger(connection))}
    kept = {(p, loc, str(m), t): (q, n) for p, loc, m, t, q, n in connection.execute(
        select(StockMonth.product_id, StockMonth.location_id, StockMonth.month,
               StockMonth.entry_type, StockMonth.quantity_ul, StockMonth.entries))}
    return [f"product {key[0]} at location {key[1]}, {key[2][:7]}, {key[3]}: kept "
            f"{_said(kept.get(key))}, ledger {_said(ledger.get(key))}"
            for key in sorted(ledger.keys() | kept.keys())
            if ledger.get(key, (0, 0)) != kept.get(key, (0, 0))]


def _said(held: tuple[int, int] | None) -> str:
    quantity, entries = held or (0, 0)
    return f"{quantity} ul in {entries} entries"
