"""A batch's own rules, asked of the entity alone: no database, no app."""

from datetime import date

import pytest

from compliance.errors import (
    AlreadyReversed,
    BatchExpired,
    BatchQuarantined,
    BatchRecalled,
    InsufficientStock,
    StockRefusal,
)
from compliance.models.location import BatchStock
from compliance.models.stock import (
    ADJUSTMENT,
    ADMINISTRATION,
    AVAILABLE,
    QUARANTINED,
    RECALLED,
    RECEIPT,
    REVERSAL,
    Batch,
    Product,
)
from compliance.rules.injection import check_batch_usable

DAY = date(2026, 3, 2)


def a_batch(state=AVAILABLE, containers=10) -> Batch:
    """A batch whose stock is all held at one location (its `here`)."""
    product = Product(name="STS 1% 2 ml ampoule", container_volume_ul=2_000)
    batch = Batch(product=product, batch_number="B1", expires_on=date(2026, 12, 31), state=state,
                 balance_ul=containers * 2_000, sealed_containers=containers,
                 receipt_total_ul=containers * 2_000, administration_total_ul=0,
                 reversal_total_ul=0, reversal_count=0)
    batch.here = BatchStock(location_id=1, balance_ul=containers * 2_000,
                            sealed_containers=containers)
    return batch


def test_posting_moves_the_balance_and_the_kept_total_with_the_entry():
    batch = a_batch()
    entry = batch.post(ADMINISTRATION, -2_500, -2, occurred_on=DAY, stock=batch.here)
    assert (entry.batch, entry.quantity_ul, entry.balance_after_ul, entry.containers_after) == (
        batch, -2_500, 17_500, 8)
    assert (batch.balance_ul, batch.sealed_containers) == (17_500, 8)
    assert batch.administration_total_ul == -2_500


def test_a_batch_never_goes_below_zero():
    batch = a_batch(containers=1)
    with pytest.raises(InsufficientStock, match="holds 2 ml in 1 sealed containers"):
        batch.post(ADMINISTRATION, -2_001, -2, stock=batch.here)
    with pytest.raises(InsufficientStock):
        # The volume is there, the containers are not.
        batch.post(ADMINISTRATION, -1_000, -2, stock=batch.here)
    assert (batch.balance_ul, batch.sealed_containers, batch.administration_total_ul) == (
        2_000, 1, 0)


def test_an_entry_is_reversed_once_and_a_reversal_never():
    batch = a_batch()
    receipt = batch.post(RECEIPT, 4_000, 2, stock=batch.here)
    reversal = batch.reverse(receipt, already_reversed=False, stock=batch.here)
    assert (reversal.entry_type, reversal.quantity_ul, reversal.containers) == (
        REVERSAL, -4_000, -2)
    assert batch.balance_ul == 20_000 and batch.reversal_count == 1
    with pytest.raises(AlreadyReversed):
        batch.reverse(receipt, already_reversed=True, stock=batch.here)
    with pytest.raises(StockRefusal, match="cannot itself be reversed"):
        batch.reverse(reversal, already_reversed=False, stock=batch.here)


@pytest.mark.parametrize("state, error", [(RECALLED, BatchRecalled),
                                          (QUARANTINED, BatchQuarantined)])
def test_a_recalled_or_quarantined_batch_is_not_drawn(state, error):
    with pytest.raises(error) as refused:
        check_batch_usable(a_batch(state).facts(), DAY)
    assert refused.value.field == "batch_id"


def test_a_batch_is_drawn_on_its_expiry_date_but_not_the_day_after():
    batch = a_batch()
    check_batch_usable(batch.facts(), date(2026, 12, 31))
    assert batch.status(date(2026, 12, 31)) == AVAILABLE
    with pytest.raises(BatchExpired, match="expired on 31 Dec 2026"):
        check_batch_usable(batch.facts(), date(2027, 1, 1))
    assert batch.status(date(2027, 1, 1)) == "expired"


def test_quarantine_is_released_but_a_recall_is_final():
    batch = a_batch()
    batch.change_state("quarantine")
    batch.change_state("release")
    assert batch.state == AVAILABLE
    batch.change_state("recall")
    with pytest.raises(StockRefusal, match="is recalled: it cannot be released"):
        batch.change_state("release")
    assert batch.state == RECALLED


@pytest.mark.parametrize("entry_type, quantity_ul, containers", [
    (RECEIPT, 2_000, 1), (ADJUSTMENT, 2_000, 1), (REVERSAL, 500, 0)])
def test_nothing_is_added_to_a_recalled_batch(entry_type, quantity_ul, containers):
    batch = a_batch(RECALLED)
    with pytest.raises(BatchRecalled, match="has been recalled; stock cannot be added"):
        batch.post(entry_type, quantity_ul, containers, occurred_on=DAY, stock=batch.here)
    assert batch.balance_ul == 20_000 and batch.sealed_containers == 10
    # What leaves it is still recorded.
    batch.post(ADMINISTRATION, -2_000, -1, occurred_on=DAY, stock=batch.here)


def test_a_location_never_goes_below_zero_though_the_batch_holds_enough():
    batch = a_batch(containers=10)
    elsewhere = BatchStock(location_id=2, balance_ul=2_000, sealed_containers=1)
    with pytest.raises(InsufficientStock, match="holds 2 ml in 1 sealed containers here"):
        batch.post(ADMINISTRATION, -4_000, -2, stock=elsewhere)
    assert (batch.balance_ul, elsewhere.balance_ul) == (20_000, 2_000)
    entry = batch.post(ADMINISTRATION, -2_000, -1, stock=elsewhere)
    assert (entry.location_id, elsewhere.sealed_containers, batch.sealed_containers) == (2, 0, 9)
