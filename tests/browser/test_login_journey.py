"""Signing in and out in a real browser, for each role; failures and lockout."""

import pytest

from tests.browser.conftest import app_ready, assert_accessible, confirming, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

MENUS = {
    "manager": {"Home", "Stock", "Goods in", "Stocktake", "Audit trail", "Reports", "Users",
                "Locations"},
    "doctor": {"Home", "Today", "Stock"},
    "nurse": {"Home", "Today", "Stock"},
    "inspector": {"Home", "Stock", "Audit trail", "Reports"},
}
for _menu in MENUS.values():  # every role views patients (D3) and storage temperatures (D7)
    _menu.update({"Patients", "Temperatures"})


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_as(page, live_app, base: str, kind: str) -> None:
    """Sign in as the live app's user of `kind` (doctor, nurse, manager or inspector)."""
    email, _ = live_app.config["PEOPLE"][kind]
    sign_in(page, base, email, PASSWORD)


@pytest.mark.parametrize("kind", sorted(MENUS))
def test_each_role_signs_in_and_sees_only_its_menu(page, live_app, live_server, kind):
    email, name = live_app.config["PEOPLE"][kind]
    page.goto(f"{live_server}/login")
    assert_accessible(page)
    sign_in(page, live_server, email, PASSWORD)
    page.get_by_text(f"Signed in as {name}").wait_for()
    menu = set(page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts())
    assert menu == MENUS[kind]
    assert_accessible(page)
    screenshot(page, f"home-{kind}")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out.").wait_for()


def test_a_wrong_password_is_refused_with_the_email_kept(page, live_app, live_server):
    email, _ = live_app.config["PEOPLE"]["doctor"]
    sign_in(page, live_server, email, "not-the-right-password")
    page.get_by_text("The email address or password is incorrect.").wait_for()
    assert page.get_by_label("Email address").input_value() == email
    assert page.get_by_label("Password").input_value() == ""
    assert_accessible(page)
    screenshot(page, "login-failed")


def test_five_failures_lock_the_account(page, live_app, live_server):
    email, _ = live_app.config["PEOPLE"]["nurse"]
    for _ in range(5):
        sign_in(page, live_server, email, "not-the-right-password")
    page.get_by_text("locked for 15 minutes").wait_for()
    sign_in(page, live_server, email, PASSWORD)
    page.get_by_text("locked for 15 minutes").wait_for()
    assert "/login" in page.url
    screenshot(page, "login-locked")


def create_a_doctor_account(page) -> None:
    """Fill in and create the account of a prescribing doctor, Dr Lena Brook."""
    page.get_by_role("link", name="Users", exact=True).first.click()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Full name").fill("Dr Lena Brook")
    page.get_by_label("Email address").fill("lena.brook@test.clinic")
    page.get_by_label("Prescriber").check()
    page.get_by_label("Profession", exact=True).select_option("doctor")
    page.get_by_label("Professional register").select_option("GMC")
    page.get_by_label("Registration number").fill("7111222")
    page.get_by_label("Initial password", exact=True).fill("Sclero-Ledger-Witness-42")
    page.get_by_label("Repeat the password").fill("Sclero-Ledger-Witness-42")
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Account created for Dr Lena Brook.").wait_for()


def deactivate_the_account(page) -> None:
    """On the new account's page: deactivate it, confirming the browser's dialog."""
    page.get_by_label("Reason", exact=True).fill("Locum contract ended")
    with confirming(page):
        page.get_by_role("button", name="Deactivate account").click()
    page.get_by_text("Dr Lena Brook is now deactivated.").wait_for()


def test_manager_creates_and_deactivates_a_user_on_a_tablet(tablet_page, live_app, live_server):
    page = tablet_page
    sign_in_as(page, live_app, live_server, "manager")
    create_a_doctor_account(page)
    screenshot(page, "user-created-tablet")
    deactivate_the_account(page)
    page.get_by_role("link", name="← Users").click()
    app_ready(page)
    page.get_by_label("Filter by name, email, role…").fill("brook")
    assert page.locator("#users-table tbody tr:visible").count() == 1
    assert_accessible(page)
    screenshot(page, "users-list-tablet")
