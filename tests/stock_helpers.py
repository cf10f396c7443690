"""Helpers for stock tests: what the ledger and balances look like right now."""

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models.location import BatchStock
from compliance.models.stock import Batch, LedgerEntry


def ledger_state() -> tuple:
    """Entry count, every batch's balances and its parts held at each location: equal before
    and after means nothing written."""
    db.session.expire_all()
    count = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    balances = db.session.execute(
        select(Batch.id, Batch.balance_ul, Batch.sealed_containers, Batch.state)
        .order_by(Batch.id)).all()
    parts = db.session.execute(
        select(BatchStock.batch_id, BatchStock.location_id, BatchStock.storage_area_id,
               BatchStock.balance_ul, BatchStock.sealed_containers)
        .order_by(BatchStock.batch_id, BatchStock.location_id)).all()
    return count, [tuple(row) for row in balances], [tuple(row) for row in parts]


def ledger_sum(batch_id: int) -> tuple[int, int]:
    row = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.quantity_ul), 0),
               func.coalesce(func.sum(LedgerEntry.containers), 0))
        .where(LedgerEntry.batch_id == batch_id)).one()
    return int(row[0]), int(row[1])


def assert_balance_is_ledger_sum(batch: Batch) -> None:
    db.session.refresh(batch)
    assert (batch.balance_ul, batch.sealed_containers) == ledger_sum(batch.id)


def parts(batch: Batch) -> dict[int, tuple[int, int]]:
    """The batch's parts as stored: location id -> (microlitres, sealed containers)."""
    return {location_id: (ul, sealed) for location_id, ul, sealed in db.session.execute(
        select(BatchStock.location_id, BatchStock.balance_ul, BatchStock.sealed_containers)
        .where(BatchStock.batch_id == batch.id).execution_options(populate_existing=True))}


def ledger_sums_per_location(batch: Batch) -> dict[int, tuple[int, int]]:
    """The sums of the batch's ledger entries at each location."""
    return {location_id: (int(ul), int(containers))
            for location_id, ul, containers in db.session.execute(
                select(LedgerEntry.location_id, func.sum(LedgerEntry.quantity_ul),
                       func.sum(LedgerEntry.containers))
                .where(LedgerEntry.batch_id == batch.id).group_by(LedgerEntry.location_id))}


def assert_parts_are_ledger_sums(batch: Batch) -> None:
    """Each location's part equals its ledger entries there, and the parts add up to the
    batch's balance, which equals its whole ledger."""
    assert_balance_is_ledger_sum(batch)
    held = parts(batch)
    assert held == ledger_sums_per_location(batch)
    assert (sum(ul for ul, _ in held.values()), sum(sealed for _, sealed in held.values())) == (
        batch.balance_ul, batch.sealed_containers)
