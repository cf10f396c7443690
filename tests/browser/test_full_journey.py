"""The whole clinic journey in one browser: a new patient is screened, consents and is seen face
to face; the doctor signs a prescription; a session records two injections from two batches and
is signed off."""

import pytest

from compliance.extensions import db
from compliance.models import Product, User
from tests.browser.conftest import assert_accessible, confirming, screenshot
from tests.browser.test_login_journey import sign_in
from tests.browser.test_patient_journey import consent_and_consult, prescribe, register, screen
from tests.factories import PASSWORD, receive_batch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def two_batches(live_app):
    with live_app.app_context():
        manager = db.session.scalar(db.select(User).where(
            User.email == live_app.config["PEOPLE"]["manager"][0]))
        product = db.session.scalar(db.select(Product))
        receive_batch(manager, product, 5, "FIRST-EXP", expires_in_days=120)
        receive_batch(manager, product, 5, "SECOND-EXP", expires_in_days=300)
        db.session.remove()


def treat(page) -> None:
    page.get_by_role("link", name="Start a session").click()
    page.get_by_label("Prescription").select_option(index=1)
    page.get_by_label("Left calf").check()
    page.get_by_role("button", name="Open session").click()
    page.get_by_text("Session 1 opened").wait_for()
    for batch_index, volume in ((1, "1.2"), (2, "0.9")):
        page.get_by_label("Batch", exact=True).select_option(index=batch_index)
        page.get_by_label("Volume (ml)").fill(volume)
        page.get_by_role("button", name="Record injection").click()
        page.get_by_text("Injection recorded.").wait_for()
    rows = page.locator("#injections-table tbody").inner_text()
    assert "FIRST-EXP" in rows and "SECOND-EXP" in rows
    page.get_by_label("Your password").fill(PASSWORD)
    with confirming(page):
        page.get_by_role("button", name="Sign off session").click()
    page.get_by_text("Session signed and locked").wait_for()


def test_new_patient_to_signed_session(page, live_app, live_server, two_batches):
    email, name = live_app.config["PEOPLE"]["doctor"]
    sign_in(page, live_server, email, PASSWORD)
    register(page, live_server)
    screen(page)
    consent_and_consult(page)
    prescribe(page)
    page.get_by_role("link", name="← Harriet Vane").click()
    treat(page)
    signature = page.locator(".signature").inner_text()
    assert name in signature and "administered" in signature and "GMC 7000001" in signature
    assert_accessible(page)
    screenshot(page, "journey-session-signed")
    page.get_by_role("link", name="← Harriet Vane's record").click()
    assert "Session 1" in page.locator(".record-timeline").inner_text()
    screenshot(page, "journey-patient-record")
