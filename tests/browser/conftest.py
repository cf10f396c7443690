"""A live server on a fresh database and Debian's chromium driven by Playwright."""

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from compliance import create_app
from compliance.extensions import db
from tests import dbutil
from tests.factories import make_product, make_user

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Without the background-networking flags chromium keeps dialling out on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests: /usr/bin/chromium is missing")
    skip = pytest.mark.skip(reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is not installed "
                                   "(run `make test` as root to install it)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def live_app(request, template_db, memory_dir):
    folder = memory_dir / f"live-{request.module.__name__}"
    folder.mkdir()
    uri = dbutil.fresh_database(template_db, folder)
    app = create_app(dbutil.config_for(uri))
    with app.app_context():
        people = {kind: make_user(kind) for kind in ("doctor", "nurse", "manager", "inspector")}
        details = {kind: (u.email, u.full_name) for kind, u in people.items()}
        make_product(gtin="05060012345037")
        db.session.remove()
    app.config["PEOPLE"] = details
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def served(app):
    """`app` served on a free local port in a thread; its base address."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def live_server(live_app):
    with served(live_app) as address:
        yield address


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def opened_page(browser, viewport: dict, **options):
    """A page in a browser context of its own: the window's size, British dates, and a
    10-second wait for anything it looks for; `options` go to the context (touch, scripts)."""
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with opened_page(browser, {"width": 1280, "height": 800}) as page:
        yield page


@pytest.fixture
def tablet_page(browser):
    with opened_page(browser, {"width": 820, "height": 1180}, has_touch=True) as page:
        yield page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    scrolled = page.evaluate("window.scrollY")
    page.screenshot(path=str(path), full_page=True)
    # A full-page screenshot leaves chromium reporting a scroll position it is not at: the
    # next click below the fold then lifts the mouse over another element (no click at all).
    page.evaluate("y => window.scrollTo(window.scrollX, y)", scrolled)
    return path


def assert_accessible(page) -> None:
    """No serious or critical axe-core violations on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"]
               if v.get("impact") in ("serious", "critical")]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in serious]
    assert not serious, f"accessibility violations on {page.url}: {summary}"


def app_ready(page) -> None:
    """After a click, a submit or a key sends the page on: wait until the new page's app.js has
    bound its scans, filters and confirmations (a click does not wait for deferred scripts)."""
    page.locator("html[data-app-ready]").wait_for(state="attached")


@contextmanager
def confirming(page):
    """Accept the confirmation the block's click asks for, and fail if none was asked: a
    button clicked before its script listened sends the form without asking."""
    app_ready(page)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    yield asked
    assert asked, "the button sent its form without asking for confirmation"
