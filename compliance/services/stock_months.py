"""Stock moved per product and month, kept with each ledger entry so charts need not sum
the whole ledger."""

from datetime import date

from sqlalchemy import Date, cast, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from compliance.extensions import db
from compliance.models.stock import Batch, LedgerEntry, StockMonth


def add(product_id: int, entry_type: str, day: date, quantity_ul: int) -> None:
    """Add one entry's quantity to its month (an upsert, in the caller's transaction)."""
    table = StockMonth.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(product_id=product_id, month=day.replace(day=1),
                                             entry_type=entry_type, quantity_ul=quantity_ul)
    db.session.execute(statement.on_conflict_do_update(
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
