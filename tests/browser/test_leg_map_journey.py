"""The leg map at the chair, on a laptop (1024x768) and a tablet held upright (768x1024): a
region chosen by pointer sets the site and then shows the injection recorded there; a region
reached with Tab is chosen with Enter or Space."""

import re

import pytest

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import User
from compliance.services import treatment
from tests.browser.conftest import SCREENSHOTS, assert_accessible, opened_page, screenshot
from tests.browser.test_login_journey import sign_in_as
from tests.factories import make_product, ready_patient, receive_batch

pytestmark = pytest.mark.browser

VIEWPORTS = {"1024x768": {"width": 1024, "height": 768},
             "768x1024": {"width": 768, "height": 1024}}


@pytest.fixture(scope="module")
def open_sessions(live_app):
    """An open session today, on the left calf and right shin, for each viewport."""
    with live_app.app_context():
        people = {kind: db.session.scalar(db.select(User).where(User.email == email))
                  for kind, (email, _name) in live_app.config["PEOPLE"].items()}
        product = make_product("0.5")
        receive_batch(people["manager"], product, 10, "MAP-1", expires_in_days=300)
        sessions = {}
        for name in VIEWPORTS:
            patient, prescription = ready_patient(people, product)
            sessions[name] = treatment.open_session(people["nurse"], treatment.NewSession(
                patient.id, prescription.id, local_today(), ["left calf", "right shin"])).id
        db.session.remove()
    return sessions


@pytest.fixture(params=sorted(VIEWPORTS))
def sized_page(request, browser):
    with opened_page(browser, VIEWPORTS[request.param],
                     has_touch=request.param == "768x1024") as page:
        yield request.param, page


def region(page, name: str):
    return page.get_by_role("button", name=re.compile(f"^{name}:"))


def choose_by_pointer_and_record(page) -> None:
    """Tap the left thigh from behind: the site follows; record 0.6 ml there."""
    region(page, "Left thigh \\(back\\)").click()
    assert page.get_by_label("Site").input_value() == "left thigh (back)"
    assert region(page, "Left thigh \\(back\\)").get_attribute("aria-pressed") == "true"
    page.get_by_label("Batch", exact=True).select_option(index=1)
    page.get_by_label("Volume (ml)").fill("0.6")
    page.get_by_role("button", name="Record injection").click()
    page.get_by_text("Injection recorded.").wait_for()


def choose_by_keyboard(page) -> None:
    """From the map's heading, Tab to the first region (the right thigh, front), on to the
    right knee: Enter chooses it; Tab to the right shin: Space chooses it."""
    page.get_by_role("heading", name="Where it was injected").click()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.site") == "right thigh (front)"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.get_by_label("Site").input_value() == "right knee"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.get_by_label("Site").input_value() == "right shin"
    assert region(page, "Right shin").get_attribute("aria-pressed") == "true"
    assert region(page, "Right knee").get_attribute("aria-pressed") == "false"
    page.get_by_text("Chosen: Right shin.").wait_for()


def test_the_leg_map_chooses_the_site_by_pointer_and_by_keyboard(sized_page, live_app,
                                                                 live_server, open_sessions):
    name, page = sized_page
    sign_in_as(page, live_app, live_server, "nurse")
    page.goto(f"{live_server}/treatment/sessions/{open_sessions[name]}")
    # The session's first area is chosen to begin with, on the map as in the select.
    assert region(page, "Left calf").get_attribute("aria-pressed") == "true"
    choose_by_pointer_and_record(page)
    assert region(page, "Left thigh \\(back\\)").get_attribute("aria-label") == (
        "Left thigh (back): 1 injection, 0.6 ml")
    table = page.locator("#leg-map-table")
    assert table.get_by_role("row", name="Left thigh (back) 1 0.6").is_visible()
    choose_by_keyboard(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    screenshot(page, f"session-leg-map-{name}")
    chair_screenshot(page, f"session-leg-map-chair-{name}")
    the_patients_record_shows_the_map_to_read(page)


def the_patients_record_shows_the_map_to_read(page) -> None:
    """On the patient's record the map shows every session's injections and chooses nothing."""
    page.get_by_role("link", name=re.compile("'s record$")).click()
    table = page.locator("#patient-leg-map-table")
    assert table.get_by_role("row", name="Left thigh (back) 1 0.6").is_visible()
    assert page.locator("#patient-leg-map .leg-region[role=button]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)


def chair_screenshot(page, name: str) -> None:
    """The map and the injection form below it, the part of the page used at the chair."""
    top, bottom = page.evaluate(
        """() => [document.getElementById("where-injected").getBoundingClientRect().top,
                  document.querySelector("form[action$='/injections']").getBoundingClientRect()
                  .bottom].map((y) => y + window.scrollY)""")
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True,
                    clip={"x": 0, "y": top - 16, "width": width, "height": bottom - top + 48})
