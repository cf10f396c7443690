"""Helpers for stock tests: what the ledger and balances look like right now."""

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models.stock import Batch, LedgerEntry


def ledger_state() -> tuple:
    """Entry count and every batch's balances: equal before and after means nothing written."""
    db.session.expire_all()
    count = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    balances = db.session.execute(
        select(Batch.id, Batch.balance_ul, Batch.sealed_containers, Batch.state)
        .order_by(Batch.id)).all()
    return count, [tuple(row) for row in balances]


def ledger_sum(batch_id: int) -> tuple[int, int]:
    row = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.quantity_ul), 0),
               func.coalesce(func.sum(LedgerEntry.containers), 0))
        .where(LedgerEntry.batch_id == batch_id)).one()
    return int(row[0]), int(row[1])


def assert_balance_is_ledger_sum(batch: Batch) -> None:
    db.session.refresh(batch)
    assert (batch.balance_ul, batch.sealed_containers) == ledger_sum(batch.id)
