"""An inspector reads the audit trail, filters it, opens a record and verifies the chain."""

import pytest

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_login_journey import sign_in_as

pytestmark = pytest.mark.browser


def open_the_audit_trail(page) -> None:
    """From the menu, to the trail showing the chain's head hash."""
    page.get_by_role("link", name="Audit trail").first.click()
    page.get_by_role("heading", name="Audit trail").wait_for()
    head = page.locator(".head-hash code").inner_text()
    assert len(head) == 64
    assert_accessible(page)
    screenshot(page, "audit-trail")


def filter_to_created_users(page):
    """Filter the trail to creations in the users table; the rows shown."""
    page.get_by_label("Action").select_option("create")
    page.get_by_label("Table", exact=True).select_option("users")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() >= 4
    assert all(text == "account created"
               for text in rows.locator("td:nth-child(4)").all_inner_texts())
    return rows


def open_the_record_as_it_stood(page, row) -> None:
    row.locator("td:nth-child(5) a").click()
    page.get_by_role("heading", name="As it stood on a date").wait_for()
    assert_accessible(page)


def verify_the_chain(page) -> None:
    page.get_by_role("link", name="← Audit trail").click()
    page.get_by_role("button", name="Verify the chain").click()
    page.get_by_text("every hash and link intact").wait_for()
    assert_accessible(page)
    screenshot(page, "audit-verified")


def test_inspector_reads_filters_and_verifies_the_audit_trail(page, live_app, live_server):
    sign_in_as(page, live_app, live_server, "inspector")
    open_the_audit_trail(page)
    rows = filter_to_created_users(page)
    open_the_record_as_it_stood(page, rows.first)
    verify_the_chain(page)
