"""A new patient is screened, consents, is seen face to face, and the doctor writes and signs a
prescription; every page passes axe and is photographed on a laptop and a tablet."""

import pytest

from tests.browser.conftest import assert_accessible, confirming, screenshot
from tests.browser.test_consent_signature_journey import draw_signature
from tests.browser.test_login_journey import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def check(page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, name)


def register(page, base: str) -> None:
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("First name").fill("Harriet")
    page.get_by_label("Last name").fill("Vane")
    page.get_by_label("Date of birth").fill("1981-05-20")
    page.get_by_label("Phone").fill("07700 900222")
    page.get_by_label("Email address").fill("harriet.vane@example.org")
    page.get_by_label("Address", exact=True).fill("12 Mecklenburgh Square\nLondon")
    page.get_by_label("GP practice").fill("Bloomsbury Surgery")
    check(page, "patient-new")
    page.get_by_role("button", name="Register patient").click()
    page.get_by_text("Harriet Vane registered as P").wait_for()


def screen(page) -> None:
    page.get_by_role("link", name="Record a screening").click()
    # all() does not wait: until the form is there it finds the last page's none.
    page.locator("fieldset.question").first.wait_for()
    for group in page.locator("fieldset.question").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Record screening").click()
    page.get_by_text("Screening recorded").wait_for()


def consent_and_consult(page) -> None:
    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Areas").fill("Both calves")
    page.get_by_label("Risks explained").fill("Bruising, pigmentation, blistering, clots")
    draw_signature(page)
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()
    page.get_by_role("link", name="Record a consultation").click()
    page.get_by_label("Place").fill("Treatment room 1")
    page.get_by_label("Findings").fill("Thread veins on both calves; no varicose veins")
    page.get_by_label("Yes").check()
    page.get_by_label("Why").fill("Screened clear, realistic expectations")
    check(page, "consultation-new")
    page.get_by_role("button", name="Record consultation").click()
    page.get_by_text("Consultation recorded.").wait_for()


def prescribe(page) -> None:
    page.get_by_role("link", name="Write a prescription").click()
    page.get_by_label("Maximum volume per session (ml)").fill("12")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_text("At most 10 ml per session").first.wait_for()
    check(page, "prescription-refused")
    page.get_by_label("Maximum volume per session (ml)").fill("6")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_text("Check it, then sign it.").wait_for()
    page.get_by_label("Your password").fill(PASSWORD)
    with confirming(page):
        page.get_by_role("button", name="Sign prescription").click()
    page.get_by_text("signed as prescribed").wait_for()


def test_doctor_registers_screens_consults_and_signs_a_prescription(page, live_app,
                                                                    live_server):
    email, name = live_app.config["PEOPLE"]["doctor"]
    sign_in(page, live_server, email, PASSWORD)
    register(page, live_server)
    screen(page)
    consent_and_consult(page)
    check(page, "patient-record-before-prescription")
    prescribe(page)
    signature = page.locator(".signature")
    assert name in signature.inner_text() and "GMC 7000001" in signature.inner_text()
    assert "Intact" in signature.inner_text()
    check(page, "prescription-signed")
    page.get_by_role("link", name="← Harriet Vane").click()
    assert "Signed" in page.locator(".record-timeline").inner_text()
    check(page, "patient-record")
    for link, name in (("Screening for contraindications", "screening-show"),
                       ("Consultation (face to face)", "consultation-show")):
        page.get_by_role("link", name=link).click()
        check(page, name)
        page.go_back()
    page.get_by_role("link", name="Consents", exact=True).click()
    page.get_by_text("Withdraw this consent").click()
    check(page, "consents")


def test_the_patient_pages_fit_a_tablet(tablet_page, live_app, live_server):
    email, _ = live_app.config["PEOPLE"]["doctor"]
    sign_in(tablet_page, live_server, email, PASSWORD)
    tablet_page.goto(f"{live_server}/patients/")
    tablet_page.get_by_label("Name, date of birth").fill("vane")
    tablet_page.get_by_role("button", name="Search").click()
    check(tablet_page, "tablet-patient-list")
    tablet_page.get_by_role("link", name="Vane, Harriet").click()
    check(tablet_page, "tablet-patient-record")
    tablet_page.get_by_role("link", name="Record a screening").click()
    check(tablet_page, "tablet-screening")
    width = tablet_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, "the screening page scrolls sideways on a tablet"


def test_manager_adds_a_contraindication_and_it_is_asked_at_screening(page, live_app,
                                                                      live_server):
    email, _ = live_app.config["PEOPLE"]["manager"]
    sign_in(page, live_server, email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Contraindications").click()
    page.get_by_label("Contraindication", exact=True).fill("Lymphoedema")
    page.get_by_label("Question asked at screening").fill("Does the patient have lymphoedema?")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("Lymphoedema added to the screening questions.").wait_for()
    check(page, "contraindications")
    assert "Lymphoedema" in page.locator("#contraindications-table").inner_text()
