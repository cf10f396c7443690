"""On a laptop (1024x768) and a tablet held upright (768x1024): a contraindication is a red
banner and the record's clinical actions are disabled with the reason beside them; a patient
treated ten days ago sees the next allowed date on the record, on Today and on the session."""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Product, User
from tests.browser.conftest import assert_accessible, opened_page, screenshot
from tests.browser.test_login_journey import sign_in_as
from tests.factories import make_screening, make_session, ready_patient

pytestmark = pytest.mark.browser

SIZES = {"laptop": {"width": 1024, "height": 768}, "tablet": {"width": 768, "height": 1024}}


@pytest.fixture(scope="module")
def patients(live_app):
    """Two patients on a signed prescription: one since screened with the contraceptive pill,
    one treated ten days ago."""
    with live_app.app_context():
        people = {kind: db.session.scalar(db.select(User).where(User.email == email))
                  for kind, (email, _name) in live_app.config["PEOPLE"].items()}
        product = db.session.scalar(db.select(Product).limit(1))
        stopped, _ = ready_patient(people, product)
        make_screening(stopped, people["doctor"], frozenset({"Contraceptive pill"}),
                       on=local_today() - timedelta(days=1))
        treated, prescription = ready_patient(people, product)
        session = make_session(prescription, people["nurse"],
                               local_today() - timedelta(days=10))
        ids = {"stopped": stopped.id, "treated": treated.id, "session": session.id,
               "treated_name": treated.full_name,
               "screened_on": f"{local_today() - timedelta(days=1):%d %b %Y}",
               "allowed_from": f"{local_today() + timedelta(days=18):%d %b %Y}"}
        db.session.remove()
    return ids


@pytest.fixture(params=sorted(SIZES))
def sized_page(request, browser):
    with opened_page(browser, SIZES[request.param], has_touch=request.param == "tablet") as page:
        page.size_name = request.param
        yield page


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width}px"


def test_a_contraindication_is_a_banner_and_the_actions_are_disabled(sized_page, live_app,
                                                                    live_server, patients):
    page = sized_page
    sign_in_as(page, live_app, live_server, "doctor")
    page.goto(f"{live_server}/patients/{patients['stopped']}")
    banner = page.get_by_role("alert").filter(has_text="Contraindication: Contraceptive pill")
    assert banner.is_visible()
    assert f"screening of {patients['screened_on']}" in banner.inner_text()
    for action, reason in (("Write a prescription", "records a contraindication"),
                           ("Start a session", "Contraindication present")):
        button = page.get_by_role("button", name=action)
        assert button.is_disabled()
        described = button.get_attribute("aria-describedby")
        assert reason in page.locator(f"#{described}").inner_text()
        assert page.locator(f"#{described}").is_visible()
    assert page.get_by_role("link", name="Start a session").count() == 0
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, f"patient-record-banner-{page.size_name}")


def test_the_next_allowed_date_is_on_the_record_today_and_the_session(sized_page, live_app,
                                                                      live_server, patients):
    page = sized_page
    allowed_from = patients["allowed_from"]
    sign_in_as(page, live_app, live_server, "nurse")
    page.goto(f"{live_server}/patients/{patients['treated']}")
    button = page.get_by_role("button", name="Start a session")
    assert button.is_disabled()
    reason = page.locator(f"#{button.get_attribute('aria-describedby')}").inner_text()
    assert f"Next session allowed from {allowed_from}" in reason
    assert "session 2 of 6" in page.locator("#course-progress").inner_text()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, f"patient-record-next-session-{page.size_name}")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    row = page.locator("#waiting-table tbody tr", has_text=patients["treated_name"])
    assert allowed_from in row.inner_text() and "session 2 of 6" in row.inner_text()
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(f"{live_server}/treatment/sessions/{patients['session']}")
    head = page.locator(".page-head").inner_text()
    assert "session 1 of 6" in head and f"Next session allowed from {allowed_from}" in head
    assert_no_sideways_scroll(page)
