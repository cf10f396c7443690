"""Issue 15 at the chair, counted: a nurse gives three injections from one scanned batch in
seven inputs (scan, then volume and submit three times), on a laptop (1024x768) and a tablet
held upright (768x1024), with JavaScript and without; after each, the newest injection is in
view beside the form and the page never scrolls sideways."""

import pytest
from playwright.sync_api import expect

from compliance.extensions import db
from compliance.models import User
from tests.browser.conftest import app_ready, assert_accessible, opened_page, screenshot
from tests.browser.test_login_journey import sign_in_as
from tests.factories import make_product, ready_patient, receive_batch

pytestmark = pytest.mark.browser

GTIN = "05060012345020"
# What a scanner types from the pack's DataMatrix before its Enter.
SCANNED = f"(01){GTIN}(17)301231(10)SCAN-7"
LAPTOP, TABLET = {"width": 1024, "height": 768}, {"width": 768, "height": 1024}
RUNS = {"laptop": (LAPTOP, True), "tablet": (TABLET, True), "laptop-no-js": (LAPTOP, False)}


@pytest.fixture(scope="module")
def chair(live_app):
    """One patient ready for treatment per run (a patient has one session in 28 days), and
    the batch to scan, after an earlier-expiring one the list offers first."""
    with live_app.app_context():
        people = {kind: db.session.scalar(db.select(User).where(User.email == email))
                  for kind, (email, _name) in live_app.config["PEOPLE"].items()}
        product = make_product("0.5", gtin=GTIN)
        receive_batch(people["manager"], product, 10, "FIRST-1", expires_in_days=100)
        batch = receive_batch(people["manager"], product, 10, "SCAN-7", expires_in_days=300)
        patients = {run: ready_patient(people, product)[0].id for run in RUNS}
        details = {"patients": patients, "batch_id": batch.id}
        db.session.remove()
    return details


@pytest.fixture
def chair_page(browser, request):
    viewport, javascript = RUNS[request.param]
    with opened_page(browser, viewport, java_script_enabled=javascript,
                     has_touch=viewport == TABLET) as page:
        yield page, javascript


def open_session_on_the_only_prescription(page, base: str, patient_id: int) -> None:
    page.goto(f"{base}/treatment/sessions/new?patient_id={patient_id}")
    assert page.get_by_label("Prescription").input_value() != "0"  # the only one, chosen
    page.get_by_label("Left calf").check()
    page.get_by_role("button", name="Open session").click()
    page.get_by_text("Session 1 opened").wait_for()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth "
                         "<= document.documentElement.clientWidth")


def scan(page, javascript: bool) -> None:
    """The scanner types the code into the scan field and presses Enter."""
    page.get_by_label("Scan the ampoule's barcode").fill(SCANNED)
    if javascript:
        url = page.url
        app_ready(page)
        page.get_by_label("Scan the ampoule's barcode").press("Enter")
        assert page.url == url  # chosen on the page: nothing sent
        page.get_by_text("Batch SCAN-7 chosen from the scan.").wait_for()
    else:
        with page.expect_navigation():
            page.get_by_label("Scan the ampoule's barcode").press("Enter")
        page.get_by_text("Batch SCAN-7 scanned: enter the volume.").wait_for()
    assert page.get_by_text("This field is required").count() == 0


def type_volume(page, ml: str, javascript: bool) -> None:
    """Type the volume: into the field that has the focus already, unless it has not."""
    volume = page.get_by_label("Volume (ml)")
    if javascript or page.evaluate("document.activeElement.id") == "inj-volume_ml":
        expect(volume).to_be_focused()
        page.keyboard.type(ml)
    else:
        volume.fill(ml)


def record(page, injections: int) -> None:
    page.get_by_role("button", name="Record injection").click()
    page.get_by_text("Injection recorded.").wait_for()
    expect(page.locator("#injections-table tbody tr")).to_have_count(injections)


def ready_for_the_next(page, ml: str, batch_id: int) -> None:
    """The injection just recorded is in view, first, by the form; the batch and site are
    kept; the page does not scroll sideways."""
    newest = page.locator("#newest-injections tbody tr").first
    expect(newest).to_contain_text("SCAN-7")
    expect(newest.locator("td").last).to_have_text(ml)
    expect(newest).to_be_in_viewport()
    expect(page.get_by_label("Volume (ml)")).to_be_in_viewport()
    assert page.get_by_label("Batch", exact=True).input_value() == str(batch_id)
    assert page.get_by_label("Site").input_value() == "left calf"
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("chair_page", list(RUNS), indirect=True)
def test_three_injections_from_one_scanned_batch_take_seven_inputs(chair_page, live_app,
                                                                   live_server, chair, request):
    page, javascript = chair_page
    run = request.node.callspec.params["chair_page"]
    sign_in_as(page, live_app, live_server, "nurse")
    open_session_on_the_only_prescription(page, live_server, chair["patients"][run])
    inputs = 1
    scan(page, javascript)
    assert page.get_by_label("Batch", exact=True).input_value() == str(chair["batch_id"])
    for count, ml in enumerate(("1", "0.5", "0.75"), start=1):
        type_volume(page, ml, javascript)
        record(page, count)
        inputs += 2
        ready_for_the_next(page, ml, chair["batch_id"])
    assert inputs == 7
    expect(page.locator("#injections-table")).to_contain_text("SCAN-7")
    assert page.get_by_text("2.25 ml given").is_visible()
    if javascript:
        assert_accessible(page)
    screenshot(page, f"session-three-injections-{run}")


# Codes as scanners send them (run together, with a symbology prefix, with the group
# separator as the byte or spelled out), as printed, and ones the page leaves to the server.
CODES = [f"(01){GTIN}(17)301231(10)SCAN-7", f"01{GTIN}17301231\x1d10SCAN-7",
         f"]d201{GTIN}1730123110SCAN-7", f"01{GTIN}10scan-7<GS>21XYZ", f"\x1d01{GTIN}10AB12",
         f"01{GTIN}21SER1[GS]10LOT-9", f"01{GTIN}2401234\x1d10LOT-1", f"01{GTIN}17301231",
         "not a code", ""]


def test_the_pages_reading_of_a_scan_agrees_with_the_servers(page, live_server):
    """Where the page reads a batch from a code, it is the batch the server would read."""
    from compliance.errors import InvalidBarcode
    from compliance.services.gs1 import read_pack_code

    page.goto(f"{live_server}/login")
    read_on_page = page.evaluate("codes => codes.map(batchNumberOf)", CODES)
    read = 0
    for code, on_page in zip(CODES, read_on_page, strict=True):
        if on_page is None:
            continue  # left to the server when the form is sent
        try:
            assert on_page.upper() == read_pack_code(code).batch_number.upper(), code
        except InvalidBarcode:
            pytest.fail(f"the page read {on_page!r} from {code!r}, which the server refuses")
        read += 1
    assert read == 6  # every code above but the one with an AI the page does not know
