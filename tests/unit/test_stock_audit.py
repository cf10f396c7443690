"""Stock tables are audited, and the ledger is append-only in the database itself."""

from decimal import Decimal

import pytest
from sqlalchemy.exc import DatabaseError

from compliance.extensions import db
from compliance.services import products, stock, stock_queries, stocktakes
from tests.audit_helpers import changes, events, execute_raw
from tests.factories import PASSWORD, make_product, receive_batch
from tests.stock_helpers import ledger_state


def product_details(**changes_) -> products.ProductDetails:
    values = dict(name="STS 0.5% 2 ml ampoule", active_ingredient="sodium tetradecyl sulphate",
                  strength_percent=Decimal("0.5"), container_type="ampoule",
                  container_volume_ul=2000, single_use=True, gtin="05012345678900",
                  max_volume_per_session_ul=10_000)
    values.update(changes_)
    return products.ProductDetails(**values)


def test_products_are_audited_with_reasons(app, users):
    manager = users["manager"]
    product = products.create_product(manager, product_details())
    created = events(table_name="products", action="create")[-1]
    assert created.actor_id == manager.id and changes(created)["strength_percent"][1] == "0.5"
    products.update_product(manager, product.id, product_details(max_volume_per_session_ul=8_000),
                            "Clinic policy lowered the maximum")
    updated = events(table_name="products", action="update")[-1]
    assert changes(updated) == {"max_volume_per_session_ul": [10_000, 8_000]}
    assert updated.reason == "Clinic policy lowered the maximum"


def test_batches_and_ledger_entries_are_audited(app, users):
    manager = users["manager"]
    batch = receive_batch(manager, make_product(), containers=4)
    assert events(table_name="batches", action="create")[-1].actor_id == manager.id
    receipt = events(table_name="ledger_entries", action="create")[-1]
    assert changes(receipt)["quantity_ul"] == [None, 8_000]
    stock.change_state(manager, batch.id, "quarantine", "Fridge alarm overnight")
    quarantined = events(table_name="batches", action="update")[-1]
    assert changes(quarantined)["state"] == ["available", "quarantined"]
    assert quarantined.reason == "Fridge alarm overnight"
    adjustment = stock.adjust(manager, batch.id, 1, "Box miscounted")
    stock.reverse(manager, adjustment.id, "Box was counted twice")
    reversal = events(table_name="ledger_entries", action="create")[-1]
    assert changes(reversal)["reverses_id"] == [None, adjustment.id]
    assert reversal.reason == "Box was counted twice"


def test_stocktakes_and_their_lines_are_audited(app, users):
    manager = users["manager"]
    batch = receive_batch(manager, make_product(), containers=4)
    taken = stocktakes.record_stocktake(
        manager, [stocktakes.Count(batch.id, 3, "One broken")], "Quarterly count",
        stocktakes.Countersignature(users["doctor"].email, PASSWORD))
    assert changes(events(table_name="stocktakes")[-1])["note"] == [None, "Quarterly count"]
    line = events(table_name="stocktake_lines")[-1]
    assert changes(line)["counted_containers"] == [None, 3]
    assert changes(line)["reason"] == [None, "One broken"]
    correction = stock_queries.ledger(batch.id)[-1]
    assert correction.stocktake_id == taken.id


@pytest.mark.parametrize("sql", ["UPDATE ledger_entries SET quantity_ul = 999999",
                                 "DELETE FROM ledger_entries"])
def test_the_database_refuses_to_change_ledger_entries(app, users, sql):
    receive_batch(users["manager"], make_product())
    before = ledger_state()
    with pytest.raises(DatabaseError, match="append-only"):
        execute_raw(sql)
    db.session.rollback()
    assert ledger_state() == before
