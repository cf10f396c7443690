"""A transfer between two locations (D7) in a real browser: a manager at the main clinic
sends three ampoules from the batch's page; a prescriber at Harbour Street sees them in
transit on her stock page and receives them one short, with a reason; an inspector of Harbour
Street alone finds the receipt and the difference in the stock reconciliation."""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from compliance.extensions import db
from tests import dbutil
from tests.browser.conftest import assert_accessible, confirming, screenshot, served
from tests.browser.test_login_journey import sign_in
from tests.factories import PASSWORD, make_product, receive_batch
from tests.transfer_helpers import MAIN, second_location, user_at

pytestmark = pytest.mark.browser

BATCH = "TRF-204"
REASON = "One ampoule cracked in the box"


@pytest.fixture(scope="module")
def group(template_db, tmp_path_factory):
    """A live server on a database of its own: two locations, a manager at the main clinic,
    a prescriber and an inspector (with an end date) at Harbour Street, and a batch of 10 at
    the main clinic."""
    from compliance import create_app

    uri = dbutil.fresh_database(template_db, tmp_path_factory.mktemp("transfers"))
    app = create_app(dbutil.config_for(uri))
    with app.app_context():
        harbour = second_location()
        manager, nurse = user_at("manager", MAIN), user_at("nurse", harbour.id)
        inspector = user_at("inspector", harbour.id,
                            access_expires_on=local_today() + timedelta(days=30))
        receive_batch(manager, make_product(), containers=10, batch_number=BATCH)
        people = {"manager": manager.email, "nurse": nurse.email,
                  "inspector": inspector.email}
        db.session.remove()
    with served(app) as address:
        yield app, address, people
    with app.app_context():
        db.engine.dispose()


def open_stock(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock",
                                                           exact=True).click()


def send_three_from_the_batch_page(page, base: str, manager: str) -> None:
    sign_in(page, base, manager, PASSWORD)
    open_stock(page)
    page.get_by_role("link", name=BATCH).click()
    page.get_by_role("link", name="Send to another location").click()
    assert BATCH in page.get_by_label("Batch (sealed containers held here)").locator(
        "option:checked").inner_text()
    page.get_by_label("Send to").select_option(label="Harbour Street")
    page.get_by_label("Sealed containers to send").fill("3")
    page.get_by_label("Reason for the transfer").fill("Harbour Street clinic on Saturday")
    assert_accessible(page)
    screenshot(page, "transfer-send")
    with confirming(page):
        page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("in transit until received there").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="← Transfers").click()
    assert "In transit" in page.locator("#transfers-table").inner_text()
    page.get_by_role("button", name="Sign out").click()


def receive_one_short(page, base: str, nurse: str) -> None:
    sign_in(page, base, nurse, PASSWORD)
    open_stock(page)
    waiting = page.locator("#in-transit")
    assert "3 containers of" in waiting.inner_text()
    assert "in transit from Main clinic" in waiting.inner_text()
    screenshot(page, "transfer-in-transit-at-the-receiver")
    waiting.get_by_role("link").first.click()
    page.get_by_label("Sealed containers that arrived").fill("2")
    page.get_by_label("Put them into").select_option(label="Fridge")
    with confirming(page):
        page.get_by_role("button", name="Confirm receipt").click()
    page.get_by_text("give a reason").first.wait_for()  # a difference needs one
    assert page.get_by_label("Sealed containers that arrived").input_value() == "2"
    page.get_by_label("Reason for a difference").fill(REASON)
    with confirming(page):
        page.get_by_role("button", name="Confirm receipt").click()
    page.get_by_text("received: 2 containers put into Fridge").wait_for()
    assert REASON in page.locator(".facts").inner_text()
    assert_accessible(page)
    screenshot(page, "transfer-received-one-short")


def batch_row(page, table: str, text: str = BATCH) -> dict[str, str]:
    """The row of a report table holding `text` (the batch's, by default), cell by column
    heading (sort arrows dropped)."""
    table = page.locator(table)
    headings = [th.strip(" ▲▼") for th in table.locator("thead th").all_inner_texts()]
    cells = table.locator("tbody tr", has_text=text).locator("td").all_inner_texts()
    return dict(zip(headings, cells, strict=True))


def inspect_the_receipt_in_the_stock_reconciliation(page, base: str, inspector: str) -> None:
    """At Harbour Street the receipt is 6 ml arrived, the missing ampoule a -2 ml difference,
    and the 4 ml expected is what is stored; nothing is in transit to it any more. The main
    clinic, outside the inspector's scope, is named nowhere on the report."""
    sign_in(page, base, inspector, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Stock reconciliation").first.click()
    assert "Locations: all in your scope: Harbour Street" in page.locator("main").inner_text()
    row = batch_row(page, "#stock-table")
    assert (row["Received ml"], row["Sent ml"], row["Arrived ml"],
            row["Transfer differences ml"]) == ("0", "0", "6", "-2")
    here = batch_row(page, "#locations-table", "Harbour Street")
    assert (here["In transit from here ml"], here["In transit to here ml"]) == ("0", "0")
    assert row["Expected ml"] == row["Stored balance ml"] == "4"
    assert "Main clinic" not in page.locator("body").inner_text()
    assert_accessible(page)
    screenshot(page, "transfer-seen-by-the-receivers-inspector")


def test_a_manager_sends_and_a_user_at_the_other_location_receives_one_short(page, group):
    _app, base, people = group
    send_three_from_the_batch_page(page, base, people["manager"])
    receive_one_short(page, base, people["nurse"])
    page.get_by_role("link", name=f"{BATCH}", exact=False).first.click()
    ledger = page.locator("#ledger-table").inner_text()
    assert "transfer in" in ledger and "transfer difference" in ledger
    page.get_by_role("button", name="Sign out").click()
    inspect_the_receipt_in_the_stock_reconciliation(page, base, people["inspector"])
