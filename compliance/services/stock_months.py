"""Stock moved per product and month, kept with each ledger entry so charts need not sum
the whole ledger."""

from collections import Counter
from datetime import date

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Date, cast, delete, event, func, insert, select

from compliance.database import insert_for, per_transaction
from compliance.extensions import db
from compliance.models.stock import Batch, LedgerEntry
from compliance.models.stock_month import StockMonth

PENDING = per_transaction("stock_months_pending")  # this transaction's sums, kept at commit


def add(product_id: int, entry_type: str, day: date, quantity_ul: int) -> None:
    """Add one entry's quantity to its month when the transaction commits."""
    pending = db.session.info.setdefault(PENDING, Counter())
    pending[product_id, day.replace(day=1), entry_type] += quantity_ul


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
    for (product_id, month, entry_type), quantity_ul in sorted(pending.items()):
        statement = insert_here(table).values(product_id=product_id, month=month,
                                                 entry_type=entry_type, quantity_ul=quantity_ul)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c.product_id, table.c.month, table.c.entry_type],
            set_={"quantity_ul": table.c.quantity_ul + statement.excluded.quantity_ul}))


def _month_start(connection):
    if connection.dialect.name == "postgresql":
        return cast(func.date_trunc("month", LedgerEntry.occurred_on), Date)
    return func.date(LedgerEntry.occurred_on, "start of month")


def from_ledger(connection):
    """The monthly sums as the ledger gives them."""
    month = _month_start(connection)
    return (select(Batch.product_id, month.label("month"), LedgerEntry.entry_type,
                   func.sum(LedgerEntry.quantity_ul).label("quantity_ul"))
            .join(Batch, Batch.id == LedgerEntry.batch_id)
            .group_by(Batch.product_id, month, LedgerEntry.entry_type))


def rebuild(connection) -> None:
    """Recompute every month from the ledger (after a bulk load)."""
    table = StockMonth.__table__
    connection.execute(delete(table))
    connection.execute(insert(table).from_select(
        ["product_id", "month", "entry_type", "quantity_ul"], from_ledger(connection)))


def mismatches() -> list[str]:
    """Months whose kept sum differs from the ledger, described for a person."""
    connection = db.session.connection()
    ledger = {(p, str(m), t): int(q) for p, m, t, q in connection.execute(from_ledger(connection))}
    kept = {(p, str(m), t): q for p, m, t, q in connection.execute(
        select(StockMonth.product_id, StockMonth.month, StockMonth.entry_type,
               StockMonth.quantity_ul))}
    return [f"product {key[0]}, {key[1][:7]}, {key[2]}: kept {kept.get(key, 0)} ul, "
            f"ledger {ledger.get(key, 0)} ul"
            for key in sorted(ledger.keys() | kept.keys())
            if ledger.get(key, 0) != kept.get(key, 0)]
