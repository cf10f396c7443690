"""The idle timeout at the chair (shortened to seconds here): the warning counts down and "Stay
signed in" keeps the session; an injection typed before the timeout and sent after it comes
back in the form after signing in again, unsaved until it is recorded, and then once."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from compliance import create_app
from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Injection
from tests import dbutil
from tests.browser.conftest import assert_accessible, opened_page, screenshot, served
from tests.browser.test_login_journey import sign_in
from tests.factories import (
    PASSWORD,
    make_product,
    make_session,
    make_user,
    ready_patient,
    receive_batch,
)

pytestmark = pytest.mark.browser
IDLE_SECONDS, WARN_SECONDS = 8, 6


@pytest.fixture(scope="module")
def idle_app(template_db, tmp_path_factory):
    """A live app whose idle timeout is seconds long, with a treatment session open."""
    uri = dbutil.fresh_database(template_db, tmp_path_factory.mktemp("idle"))
    app = create_app(dbutil.config_for(uri, IDLE_TIMEOUT=timedelta(seconds=IDLE_SECONDS),
                                       IDLE_WARNING=timedelta(seconds=WARN_SECONDS)))
    with app.app_context():
        people = {kind: make_user(kind) for kind in ("doctor", "nurse", "manager")}
        product = make_product("0.5")
        receive_batch(people["manager"], product, 10, "EARLY-1", expires_in_days=200)
        _patient, prescription = ready_patient(people, product)
        session = make_session(prescription, people["nurse"], local_today(), [], signed=False,
                               areas="left calf;right calf")
        app.config["CHAIR"] = {"nurse": people["nurse"].email, "session_id": session.id}
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def idle_server(idle_app):
    with served(idle_app) as address:
        yield address


@pytest.fixture
def small_page(browser):
    with opened_page(browser, {"width": 1024, "height": 768}) as page:
        yield page


def injections(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Injection))
        db.session.remove()
    return count


def test_the_warning_counts_down_and_stay_signed_in_keeps_the_session(small_page, idle_app,
                                                                       idle_server):
    page = small_page
    sign_in(page, idle_server, idle_app.config["CHAIR"]["nurse"], PASSWORD)
    page.get_by_text("Signed in as").wait_for()
    signed_in_at = time.monotonic()  # the server's idle clock started before this
    warning = page.locator("#idle-warning")
    warning.get_by_text("You will be signed out for inactivity in").wait_for()
    first = page.locator("#idle-countdown").inner_text()
    assert first.startswith("0:0") and int(first[-1]) <= WARN_SECONDS
    expect(page.locator("#idle-countdown")).not_to_have_text(first)  # it counts down
    page.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    # Past the deadline of the sign-in, nothing but the button has restarted the clock.
    time.sleep(max(0.0, signed_in_at + IDLE_SECONDS + 0.5 - time.monotonic()))
    page.goto(f"{idle_server}/")
    page.get_by_role("navigation", name="Main").wait_for()
    assert page.get_by_text("Your session timed out").count() == 0
    warning.get_by_role("button", name="Stay signed in").wait_for()
    assert_accessible(page)
    screenshot(page, "idle-warning")
    # Left alone, the page says so at zero, then goes to the sign-in page.
    page.get_by_text("You have been signed out for inactivity.").wait_for()
    page.get_by_text("Your session timed out. Sign in again.").wait_for()
    assert page.get_by_label("Email address").is_visible()


def type_an_injection(page) -> None:
    page.get_by_label("Batch", exact=True).select_option(index=1)
    page.get_by_label("Volume (ml)").fill("1.5")
    page.get_by_label("Site").select_option("right calf")
    page.get_by_label("Injection points").fill("6")


def assert_the_injection_typed(page) -> None:
    # Filled in by the page's script once loaded: wait for it, as a reader would.
    expect(page.get_by_label("Volume (ml)")).to_have_value("1.5")
    expect(page.get_by_label("Injection points")).to_have_value("6")
    expect(page.get_by_label("Site")).to_have_value("right calf")
    chosen = page.get_by_label("Batch", exact=True).locator("option:checked").inner_text()
    assert chosen.startswith("EARLY-1")


def test_a_typed_injection_comes_back_after_signing_in_and_is_saved_once(small_page, idle_app,
                                                                         idle_server):
    page, chair = small_page, idle_app.config["CHAIR"]
    sign_in(page, idle_server, chair["nurse"], PASSWORD)
    page.goto(f"{idle_server}/treatment/sessions/{chair['session_id']}")
    type_an_injection(page)
    page.get_by_text("You have been signed out for inactivity.").wait_for()
    page.get_by_role("button", name="Record injection").click()  # typed: still on the page
    page.get_by_text("what you sent was not saved").wait_for()
    assert injections(idle_app) == 0
    page.get_by_label("Email address").fill(chair["nurse"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Your unsaved entry has been put back in the form below").wait_for()
    assert page.url.endswith(f"/treatment/sessions/{chair['session_id']}")
    assert_the_injection_typed(page)
    assert injections(idle_app) == 0  # filled in, not submitted
    screenshot(page, "idle-entry-restored")
    page.get_by_role("button", name="Record injection").click()
    page.get_by_text("Injection recorded.").wait_for()
    assert injections(idle_app) == 1
