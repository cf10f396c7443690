"""The patient signs their consent on a tablet (768x1024): refused with neither a signature
nor a reason, then drawn with the pointer, cleared, drawn again, and shown on the record."""

import json

import pytest

from compliance.extensions import db
from tests.browser.conftest import assert_accessible, opened_page, screenshot
from tests.browser.test_login_journey import sign_in_as
from tests.factories import make_patient

pytestmark = pytest.mark.browser


@pytest.fixture
def portrait_tablet(browser):
    with opened_page(browser, {"width": 768, "height": 1024}) as page:
        yield page


def draw_signature(page) -> None:
    """Two strokes with the pointer pressed, as a hand signs: a looping name, then a line."""
    # The page is shown before its deferred script listens: a stroke drawn then is not kept.
    canvas = page.locator("canvas[data-signature-pad][data-ready]")
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    name = [(0.08, 0.6), (0.15, 0.25), (0.22, 0.7), (0.3, 0.3), (0.38, 0.65), (0.5, 0.35),
            (0.62, 0.6)]
    for stroke in (name, [(0.1, 0.85), (0.7, 0.82)]):
        page.mouse.move(left + stroke[0][0] * width, top + stroke[0][1] * height)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(left + x * width, top + y * height, steps=6)
        page.mouse.up()


def strokes_sent(page) -> list:
    value = page.locator("input[name=signature]").input_value()
    return json.loads(value) if value else []


def refused_without_signature_or_reason(page, base: str, patient_id: int) -> None:
    page.goto(f"{base}/patients/{patient_id}/consents/new")
    page.get_by_label("Areas").fill("Both calves")
    page.get_by_label("Risks explained").fill("Bruising, pigmentation, blistering, clots")
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Ask the patient to sign in the box").first.wait_for()
    assert page.get_by_label("Areas").input_value() == "Both calves"
    assert "Tess Durbeyfield" in page.locator(".consent-statement").inner_text()


def signed_after_clearing(page) -> list:
    """The strokes sent once the patient has signed, cleared the box and signed again."""
    draw_signature(page)
    assert len(strokes_sent(page)) == 2
    page.get_by_role("button", name="Clear").click()
    assert strokes_sent(page) == []
    draw_signature(page)
    strokes = strokes_sent(page)
    assert len(strokes) == 2 and sum(len(stroke) for stroke in strokes) > 10
    return strokes


def test_a_patient_signs_consent_on_a_tablet_and_the_record_shows_it(portrait_tablet, live_app,
                                                                     live_server):
    page = portrait_tablet
    with live_app.app_context():
        patient_id = make_patient(first_name="Tess", last_name="Durbeyfield").id
        db.session.remove()
    sign_in_as(page, live_app, live_server, "nurse")
    refused_without_signature_or_reason(page, live_server, patient_id)
    strokes = signed_after_clearing(page)
    assert_accessible(page)
    screenshot(page, "tablet-consent-signed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()
    drawn = page.locator("svg.drawn-signature path").get_attribute("d")
    first_x, first_y = strokes[0][0]
    assert drawn.startswith(f"M{first_x} {first_y}L") and drawn.count("M") == 2
    assert page.locator("svg.drawn-signature").bounding_box()["width"] > 100
    screenshot(page, "tablet-record-consent-signature")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
