"""A manager receives a batch by pasting the pack's GS1 barcode, then checks the ledger."""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_login_journey import sign_in_as

pytestmark = pytest.mark.browser


def fill_goods_in_from_a_barcode(page, expiry) -> None:
    """Paste a pack's GS1 barcode into goods in; the batch, expiry and product are filled."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Goods in").click()
    page.get_by_label("Scan or paste the pack's GS1 barcode").fill(
        f"(01)05060012345037(17){expiry:%y%m%d}(10)BRW-77(21)SN123")
    page.get_by_role("button", name="Fill from barcode").click()
    page.get_by_text("Filled from the barcode").wait_for()
    assert page.get_by_label("Batch number").input_value() == "BRW-77"
    assert page.get_by_label("Expiry date").input_value() == expiry.isoformat()
    assert "STS 1%" in page.get_by_label("Product").locator("option:checked").inner_text()


def receive_the_delivery(page) -> None:
    """Complete the delivery's details and receive it; the batch's ledger opens."""
    page.get_by_label("Supplier").fill("Medi Supplies Ltd")
    page.get_by_label("Delivery or invoice reference").fill("INV-5521")
    page.get_by_label("Containers received").fill("12")
    assert_accessible(page)
    screenshot(page, "goods-in-filled")
    page.get_by_role("button", name="Receive", exact=True).click()
    page.get_by_text("Received 12 containers").wait_for()


def test_manager_receives_a_batch_by_pasting_a_gs1_barcode(page, live_app, live_server):
    with live_app.app_context():
        expiry = local_today() + timedelta(days=400)
    sign_in_as(page, live_app, live_server, "manager")
    fill_goods_in_from_a_barcode(page, expiry)
    receive_the_delivery(page)
    ledger = page.locator("#ledger-table tbody tr")
    assert ledger.count() == 1 and "receipt" in ledger.first.inner_text()
    assert_accessible(page)
    screenshot(page, "batch-ledger")
    page.get_by_role("link", name="← Stock").click()
    assert "BRW-77" in page.locator("#batches-table").inner_text()
    assert_accessible(page)
    screenshot(page, "stock-overview")
