"""An inspector runs each report, downloads it as CSV and PDF, and can change nothing."""

import pytest

from compliance.extensions import db
from compliance.models import User
from compliance.reports.catalogue import REPORTS
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_login_journey import sign_in
from tests.factories import PASSWORD, make_product, make_session, ready_patient, receive_batch
from tests.treatment_helpers import days_ago


@pytest.fixture(scope="module")
def treated(live_app):
    """A session with two batches, so every report has something to show."""
    with live_app.app_context():
        people = {kind: db.session.scalar(db.select(User).where(User.email == email))
                  for kind, (email, _name) in live_app.config["PEOPLE"].items()}
        product = make_product("3")
        first = receive_batch(people["manager"], product, 10, "R-ONE", expires_in_days=20)
        second = receive_batch(people["manager"], product, 10, "R-TWO")
        _patient, prescription = ready_patient(people, product)
        make_session(prescription, people["nurse"], days_ago(2), [(first, 800), (second, 600)])
        db.session.remove()


pytestmark = pytest.mark.browser


@pytest.mark.parametrize("spec", REPORTS, ids=[spec.slug for spec in REPORTS])
def test_an_inspector_runs_and_downloads_each_report(page, live_app, live_server, treated,
                                                     spec):
    email, _ = live_app.config["PEOPLE"]["inspector"]
    sign_in(page, live_server, email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.locator(f".report-cards a[href$=\"/reports/{spec.slug}\"]").click()
    page.get_by_role("heading", name=spec.title).wait_for()
    page.get_by_role("button", name="Run report").click()
    page.get_by_role("heading", name=spec.title).wait_for()
    assert_accessible(page)
    screenshot(page, f"report-{spec.slug}")
    for label, suffix, starts in (("Download CSV", ".csv", b""), ("Download PDF", ".pdf",
                                                                       b"%PDF")):
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        assert download.value.suggested_filename.endswith(suffix)
        content = download.value.path().read_bytes()
        assert content.startswith(starts) and content.count(b"\n") >= 2
