"""At the chair on a tablet: a prescriber opens a session, records two injections from two
batches (one scanned), signs off; a manager cannot inject; a session 3 weeks later is refused."""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import User
from tests.browser.conftest import assert_accessible, confirming, screenshot
from tests.browser.test_login_journey import sign_in, sign_in_as
from tests.factories import PASSWORD, make_product, make_session, ready_patient, receive_batch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chair(live_app):
    """A patient ready for treatment and two batches of the prescribed product."""
    with live_app.app_context():
        people = {kind: db.session.scalar(db.select(User).where(User.email == email))
                  for kind, (email, _name) in live_app.config["PEOPLE"].items()}
        product = make_product("0.5", gtin="05060012345020")
        first = receive_batch(people["manager"], product, 10, "EARLY-1", expires_in_days=200)
        receive_batch(people["manager"], product, 10, "LATER-2", expires_in_days=400)
        patient, _prescription = ready_patient(people, product)
        treated, prescription = ready_patient(people, product)
        make_session(prescription, people["nurse"], local_today() - timedelta(days=21),
                     [(first, 1_000)])
        details = {"patient": patient.full_name, "patient_id": patient.id,
                   "treated_id": treated.id}
        db.session.remove()
    return details


def open_a_session_from_today(page, patient: str) -> None:
    """From Today's list, open session 1 for `patient` on both calves."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    row = page.locator("#due-table tbody tr", has_text=patient)
    row.get_by_role("link", name="Start session").click()
    page.get_by_label("Prescription").select_option(index=1)
    page.get_by_label("Left calf").check()
    page.get_by_label("Right calf").check()
    assert_accessible(page)
    page.get_by_role("button", name="Open session").click()
    page.get_by_text("Session 1 opened").wait_for()


def record_an_injection_from_the_first_batch_offered(page) -> None:
    """The batches are offered first expiry first out; inject 1.5 ml from the first."""
    options = page.get_by_label("Batch", exact=True).locator("option").all_inner_texts()
    assert options[1].startswith("EARLY-1") and options[2].startswith("LATER-2")  # FEFO
    page.get_by_label("Batch", exact=True).select_option(index=1)
    page.get_by_label("Volume (ml)").fill("1.5")
    page.get_by_label("Injection points").fill("6")
    page.get_by_role("button", name="Record injection").click()
    page.get_by_text("Injection recorded.").wait_for()


def record_an_injection_by_scanning_the_ampoule(page) -> None:
    """Inject 0.8 ml into the right calf from the batch the scanned barcode names."""
    page.get_by_label("Scan the ampoule's barcode").fill(
        "(01)05060012345020(17)301231(10)LATER-2")
    page.get_by_label("Volume (ml)").fill("0.8")
    page.get_by_label("Site").select_option("right calf")
    page.get_by_role("button", name="Record injection").click()
    page.get_by_text("Injection recorded.").wait_for()


def sign_off_the_session(page) -> None:
    """Sign the session off with the password, confirming the browser's dialog."""
    page.get_by_label("Your password").fill(PASSWORD)
    with confirming(page):
        page.get_by_role("button", name="Sign off session").click()
    page.get_by_text("Session signed and locked").wait_for()


def test_a_session_at_the_chair_with_two_batches_and_sign_off(tablet_page, live_app,
                                                               live_server, chair):
    page = tablet_page
    sign_in_as(page, live_app, live_server, "nurse")
    open_a_session_from_today(page, chair["patient"])
    record_an_injection_from_the_first_batch_offered(page)
    record_an_injection_by_scanning_the_ampoule(page)
    assert page.locator("#injections-table tbody tr").count() == 2
    assert page.get_by_text("2.3 ml").first.is_visible()
    assert_accessible(page)
    screenshot(page, "session-two-injections-tablet")
    sign_off_the_session(page)
    assert page.get_by_text("Signed and locked").first.is_visible()
    assert page.get_by_text("administered").first.is_visible()
    assert page.get_by_role("button", name="Record injection").count() == 0
    assert_accessible(page)
    screenshot(page, "session-signed-tablet")


def test_a_manager_cannot_record_an_injection(page, live_app, live_server, chair):
    email, _ = live_app.config["PEOPLE"]["manager"]
    sign_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server}/treatment/today")
    page.get_by_role("heading", name="You do not have access to this page").wait_for()
    assert_accessible(page)


def test_a_second_session_three_weeks_after_the_first_is_refused(page, live_app, live_server,
                                                                 chair):
    email, _ = live_app.config["PEOPLE"]["nurse"]
    sign_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server}/treatment/sessions/new?patient_id={chair['treated_id']}")
    page.get_by_label("Prescription").select_option(index=1)
    page.get_by_label("Left shin").check()
    page.get_by_label("Notes").fill("Second session")
    page.get_by_role("button", name="Open session").click()
    page.get_by_text("sessions must be at least 28 days apart").first.wait_for()
    assert page.get_by_label("Left shin").is_checked()
    assert page.get_by_label("Notes").input_value() == "Second session"
    assert_accessible(page)
    screenshot(page, "session-refused-three-weeks")
