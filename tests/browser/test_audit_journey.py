"""An inspector reads the audit trail, filters it, opens a record and verifies the chain."""

import pytest

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_login_journey import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_inspector_reads_filters_and_verifies_the_audit_trail(page, live_app, live_server):
    email, _ = live_app.config["PEOPLE"]["inspector"]
    sign_in(page, live_server, email, PASSWORD)
    page.get_by_role("link", name="Audit trail").first.click()
    page.get_by_role("heading", name="Audit trail").wait_for()
    head = page.locator(".head-hash code").inner_text()
    assert len(head) == 64
    assert_accessible(page)
    screenshot(page, "audit-trail")

    page.get_by_label("Action").select_option("create")
    page.get_by_label("Table").select_option("users")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() >= 4
    assert all(text == "create" for text in rows.locator("td:nth-child(4)").all_inner_texts())

    rows.first.locator("td:nth-child(5) a").click()
    page.get_by_role("heading", name="As it stood on a date").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="← Audit trail").click()
    page.get_by_role("button", name="Verify the chain").click()
    page.get_by_text("every hash and link intact").wait_for()
    assert_accessible(page)
    screenshot(page, "audit-verified")
