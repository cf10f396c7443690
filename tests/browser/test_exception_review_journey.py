"""On a 1024x768 laptop a manager reads the reports home, finds its counts in the exceptions
report, and reviews an exception with a note."""

import re

import pytest

from compliance.extensions import db
from compliance.models import User
from compliance.services.refusals import record_refusal
from tests.browser.conftest import assert_accessible, confirming, opened_page
from tests.browser.test_login_journey import sign_in_as

pytestmark = pytest.mark.browser
NOTE = "Nurse opened the users page by mistake; talked it through. No action needed."


@pytest.fixture(scope="module")
def refused_twice(live_app):
    """Two refused attempts by the nurse: two exceptions waiting for review."""
    with live_app.app_context():
        nurse = db.session.scalar(db.select(User).where(
            User.email == live_app.config["PEOPLE"]["nurse"][0]))
        for attempt in ("GET /users/", "GET /stock/receive"):
            record_refusal(nurse, attempt, "manage_users")
        db.session.remove()


@pytest.fixture
def laptop(browser):
    with opened_page(browser, {"width": 1024, "height": 768}) as page:
        yield page


def stat(page, element_id: str) -> int:
    return int(page.locator(f"#{element_id} .stat").inner_text())


def report_total(page) -> int:
    totals = page.get_by_role("region", name="Totals").inner_text()
    return int(re.match(r"(\d+) exceptions", totals).group(1))


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def review(page) -> None:
    """Write the note and mark the exception reviewed, confirming the browser's dialog."""
    page.get_by_label("Note").fill(NOTE)
    with confirming(page):
        page.get_by_role("button", name="Mark reviewed").click()
    page.get_by_text("Exception marked reviewed.").wait_for()


def test_a_manager_checks_the_home_against_the_report_and_reviews_an_exception(
        laptop, live_app, live_server, refused_twice):
    page = laptop
    sign_in_as(page, live_app, live_server, "manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Today").wait_for()
    assert no_sideways_scroll(page)
    assert_accessible(page)
    waiting, listed = stat(page, "unreviewed-count"), stat(page, "exceptions-count")
    assert waiting == listed >= 2
    page.locator("#exceptions-count a").click()
    page.get_by_role("heading", name="Compliance exceptions").wait_for()
    assert report_total(page) == listed
    page.get_by_role("link", name=re.compile(r"^Review the refused attempt")).first.click()
    page.get_by_role("heading", name="Review an exception").wait_for()
    assert no_sideways_scroll(page)
    assert_accessible(page)
    review(page)
    assert page.get_by_text(NOTE).is_visible() and report_total(page) == listed
    page.get_by_role("link", name="← Reports").click()
    page.get_by_role("heading", name="Today").wait_for()
    assert stat(page, "unreviewed-count") == waiting - 1
    assert stat(page, "exceptions-count") == listed
