"""The reports home counts what the reports count, over the period it names; it leads with
what needs someone today and the age of the last verification."""

import re
from datetime import timedelta

from compliance.clock import frozen_at, utcnow
from compliance.services.refusals import record_refusal
from compliance.services.reports.common import last_twelve_months_start
from tests.reports.reading import csv_rows, screen


def stat(html: str, element_id: str) -> int:
    return int(re.search(rf'id="{element_id}".*?class="stat">(\d+)<', html, re.S).group(1))


def total(html: str, noun: str) -> int:
    return int(re.search(rf"<strong>(\d+)</strong> {noun}", html).group(1))


def test_the_home_counts_equal_the_reports_counts_for_the_period_it_names(client, login,
                                                                          dataset):
    # A refused attempt 400 days ago: outside the period, so in neither count.
    with frozen_at(utcnow() - timedelta(days=400)):
        record_refusal(dataset["nurse"], "GET /users/", "manage_users")
    login(dataset["manager"])
    home = screen(client, "/reports/")
    since = last_twelve_months_start()
    assert f"The last 12 months: {since:%d %b %Y} to" in home
    exceptions_page = screen(client, "/reports/exceptions")
    assert stat(home, "exceptions-count") == total(exceptions_page, "exceptions") >= 5
    assert stat(home, "unreviewed-count") == stat(home, "exceptions-count")
    assert stat(home, "sessions-count") == total(screen(client, "/reports/sessions"),
                                                 "treatment sessions") == 3
    # The home's links open the reports on its own period, with the same counts.
    linked = screen(client, f"/reports/exceptions?date_from={since.isoformat()}")
    assert total(linked, "exceptions") == stat(home, "exceptions-count")
    everything = csv_rows(client, "/reports/exceptions.csv?date_from=2000-01-01")
    assert len(everything) == stat(home, "exceptions-count") + 1


def test_the_home_leads_with_today_and_the_verifications_age(client, login, runner, dataset):
    login(dataset["manager"])
    with frozen_at(utcnow() - timedelta(hours=30)):
        assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    home = screen(client, "/reports/")
    assert home.index('id="today"') < home.index('id="period"') < home.index(
        "Audit trail verification")
    age = re.sub(r"<[^>]+>", "", re.search(r'id="verification-age">(.*?)</p>', home,
                                           re.S).group(1))
    assert "chain intact" in age and "1 day ago" in age
    assert "older than 26 hours: verify it again" in age
    client.post("/audit/verify")
    home = screen(client, "/reports/")
    assert "just now" in home and "verify it again" not in home
