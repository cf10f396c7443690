"""A manager marks a compliance exception reviewed with a note: audited, shown and filtered in
the exceptions report, counted on the reports home; nobody else may."""

import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import ExceptionReview
from compliance.rules.wording import rule_words
from compliance.services.reports import exceptions
from compliance.services.reports.common import Filters
from tests.audit_helpers import changes, events
from tests.conftest import sign_in
from tests.reports.reading import csv_rows, screen

NOTE = "Spoke to the nurse: she tried the users page by mistake. No action needed."


@pytest.fixture
def refused(app, clinic):
    """The nurse's refused attempt at the users page: one compliance exception."""
    client = app.test_client()
    sign_in(client, clinic["nurse"])
    assert client.get("/users/").status_code == 403
    [row] = [row for row in exceptions.listed(Filters()) if row.kind == exceptions.REFUSED]
    return row


def review_url(row, back: str | None = None) -> str:
    url = f"/reports/exceptions/review/{row.key}?on={row.day.isoformat()}"
    return url + (f"&back={quote(back)}" if back else "")


def reviews() -> int:
    return db.session.scalar(select(func.count()).select_from(ExceptionReview))


def unreviewed_on_home(client) -> int:
    html = screen(client, "/reports/")
    return int(re.search(r'id="unreviewed-count".*?class="stat">(\d+)<', html, re.S).group(1))


def test_a_manager_reviews_an_exception_with_a_note_and_it_is_audited(client, login, clinic,
                                                                      refused):
    login(clinic["manager"])
    waiting = unreviewed_on_home(client)
    assert waiting == len(exceptions.listed(Filters(review="unreviewed"))) >= 1
    page = screen(client, review_url(refused))
    assert "Mark reviewed" in page and "data-confirm=" in page and refused.detail in page
    assert rule_words(refused.rule) in page and "D4." not in page  # the rule in words
    back = "/reports/exceptions?review=unreviewed"
    response = client.post(review_url(refused), data={"note": NOTE, "back": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    [event] = events(table_name="exception_reviews")
    assert event.action == "create" and event.actor_id == clinic["manager"].id
    assert changes(event)["note"] == [None, NOTE]
    assert changes(event)["exception_key"] == [None, refused.key]
    assert unreviewed_on_home(client) == waiting - 1
    html = screen(client, "/reports/exceptions")
    assert f"Reviewed</span> by {clinic['manager'].full_name}" in html and NOTE in html


def test_the_report_filters_reviewed_and_unreviewed_exceptions(client, login, clinic,
                                                               refused):
    login(clinic["manager"])
    client.post(review_url(refused), data={"note": NOTE})
    reviewed = csv_rows(client, "/reports/exceptions.csv?review=reviewed")
    assert [(r["exception"], r["reviewed by"], r["review note"]) for r in reviewed] == [
        (exceptions.REFUSED, clinic["manager"].full_name, NOTE)]
    assert reviewed[0]["reviewed at (UTC)"]
    waiting = csv_rows(client, "/reports/exceptions.csv?review=unreviewed")
    everything = csv_rows(client, "/reports/exceptions.csv")
    assert len(waiting) == len(everything) - 1
    assert all(row["exception"] != exceptions.REFUSED for row in waiting)
    html = screen(client, "/reports/exceptions?review=unreviewed")
    assert f"<strong>{len(waiting)}</strong> exceptions" in html
    assert "the last 12 months" in html  # choosing unreviewed keeps the default period


def test_a_review_needs_a_note_and_keeps_nothing_half_written(client, login, clinic, refused):
    login(clinic["manager"])
    before = len(events())
    response = client.post(review_url(refused), data={"note": "   "})
    assert response.status_code == 200
    assert "Write a note" in response.get_data(as_text=True)
    assert reviews() == 0 and len(events()) == before


def test_an_exception_is_reviewed_once(client, login, clinic, refused):
    login(clinic["manager"])
    client.post(review_url(refused), data={"note": NOTE})
    response = client.post(review_url(refused), data={"note": "Again"})
    assert response.status_code == 200
    assert f"{clinic['manager'].full_name} reviewed this exception on" in response.get_data(
        as_text=True)
    assert reviews() == 1


@pytest.mark.parametrize("address", ["/reports/exceptions/review/refused-999999?on=2026-01-01",
                                     "/reports/exceptions/review/flag-1?on=not-a-date",
                                     "/reports/exceptions/review/flag-1",
                                     "/reports/exceptions/review/flag-1?on=9999-12-31",
                                     "/reports/exceptions/review/flag-1?on=0001-01-01"])
def test_an_exception_that_does_not_exist_is_not_found(client, login, clinic, address):
    login(clinic["manager"])
    assert client.get(address).status_code == 404
    assert client.post(address, data={"note": NOTE}).status_code == 404


@pytest.mark.parametrize("kind", ["nurse", "doctor", "inspector"])
def test_only_managers_review_exceptions(app, clinic, refused, kind):
    client = app.test_client()
    sign_in(client, clinic[kind])
    before = len(events(action="refused"))
    assert client.get(review_url(refused)).status_code == 403
    assert client.post(review_url(refused), data={"note": NOTE}).status_code == 403
    assert reviews() == 0
    assert [e.rule for e in events(action="refused")[before:]] == [
        "capability: review_exceptions"] * 2


def test_an_inspector_sees_who_reviewed_but_no_review_button(app, client, login, clinic,
                                                             refused):
    manager = app.test_client()
    sign_in(manager, clinic["manager"])
    manager.post(review_url(refused), data={"note": NOTE})
    login(clinic["inspector"])
    html = screen(client, "/reports/exceptions")
    assert NOTE in html and "/reports/exceptions/review/" not in html
