"""Each role's main pages on a laptop (1024x768) and a tablet held upright (768x1024): the page
never scrolls sideways (a wide table scrolls in its own box), nothing asked for is missing (no
404, the icon included), radios and checkboxes are at least 24 px, and axe finds nothing
serious."""

import pytest

from compliance.extensions import db
from compliance.models import User
from tests.browser.conftest import assert_accessible, opened_page
from tests.browser.test_login_journey import sign_in_as
from tests.factories import make_product, make_session, ready_patient, receive_batch
from tests.treatment_helpers import days_ago

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": (1024, 768), "tablet": (768, 1024)}
MIN_TARGET_PX = 24


@pytest.fixture(scope="module")
def clinic(live_app) -> dict:
    """A patient treated from two batches with long numbers, so the tables are wide."""
    with live_app.app_context():
        people = {kind: db.session.scalar(db.select(User).where(User.email == email))
                  for kind, (email, _name) in live_app.config["PEOPLE"].items()}
        product = make_product("3")
        first = receive_batch(people["manager"], product, 10, "LAYOUT-BATCH-000000000001")
        second = receive_batch(people["manager"], product, 10, "LAYOUT-BATCH-000000000002")
        patient, prescription = ready_patient(people, product)
        make_session(prescription, people["doctor"], days_ago(3), [(first, 800), (second, 600)])
        ids = {"patient": patient.id, "batch": first.id}
        db.session.remove()
    return ids


def pages(kind: str, ids: dict) -> list[str]:
    """The pages a role works in most, forms with radios and checkboxes among them."""
    patient, batch = ids["patient"], ids["batch"]
    chair = ["/treatment/today", "/patients/", f"/patients/{patient}",
             f"/patients/{patient}/screening", f"/treatment/sessions/new?patient_id={patient}",
             "/stock/", f"/stock/batches/{batch}"]
    office = ["/stock/", f"/stock/batches/{batch}", "/stock/receive", "/stock/stocktake",
              "/users/", "/users/new", "/patients/new"]
    reading = ["/audit/", "/reports/", "/reports/stock", "/reports/sessions", "/reports/audit",
               "/reports/exceptions", "/reports/trace?batch=LAYOUT-BATCH-000000000001"]
    return ["/"] + {"doctor": chair, "nurse": chair, "manager": office + reading[:3],
                    "inspector": reading}[kind]


# Axe is slow: each page is checked once in the module, whoever sees it first (the markup is
# the same for every role and at either size).
AXE_CHECKED: set[str] = set()
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
SMALL_TARGETS = f"""() => Array.from(document.querySelectorAll(
    'input[type=radio], input[type=checkbox]')).map((input) => {{
        const box = input.getBoundingClientRect();
        return [input.name + '=' + input.value, box.width, box.height];
    }}).filter(([_, width, height]) => width < {MIN_TARGET_PX} || height < {MIN_TARGET_PX})"""


def check_page(page, base: str, path: str) -> None:
    response = page.goto(f"{base}{path}")
    assert response.status == 200, path
    assert page.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways"
    assert page.evaluate(SMALL_TARGETS) == [], path
    if path not in AXE_CHECKED:
        assert_accessible(page)
        AXE_CHECKED.add(path)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("kind", ["doctor", "nurse", "manager", "inspector"])
def test_each_roles_pages_fit_the_screen_with_nothing_missing(browser, live_app, live_server,
                                                              clinic, kind, viewport):
    width, height = VIEWPORTS[viewport]
    with opened_page(browser, {"width": width, "height": height},
                     has_touch=viewport == "tablet") as page:
        _walk_pages(page, live_app, live_server, clinic, kind)


def _walk_pages(page, live_app, live_server, clinic, kind) -> None:
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.on("console", lambda m: missing.append(m.text) if "404" in m.text else None)
    sign_in_as(page, live_app, live_server, kind)
    page.get_by_role("button", name="Sign out").wait_for()
    for path in pages(kind, clinic):
        check_page(page, live_server, path)
    icons = page.eval_on_selector_all("link[rel=icon]", "links => links.map(l => l.href)")
    assert icons and all(page.request.get(href).status == 200 for href in icons)
    assert missing == []
