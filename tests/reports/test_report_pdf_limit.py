"""A report's PDF above PDF_MAX_ROWS is refused before it is laid out: the report's page says
how many rows it has and the limit, keeps the filters and offers their CSV; nothing is
recorded as exported. A PDF of as many rows as the limit is made."""

import re
from html import unescape

import pytest

from tests.audit_helpers import events
from tests.reports.reading import csv_rows, pdf_text

pytestmark = pytest.mark.usefixtures("dataset")

# The data set's three sessions, one of them at another prescriber: the filters keep all three.
FILTERS = "date_from=2020-01-01&sort=patient&direction=asc"


@pytest.fixture
def manager_client(client, login, dataset):
    login(dataset["manager"])
    return client


def test_a_pdf_longer_than_the_limit_is_refused_with_its_csv_offered(app, manager_client):
    app.config["PDF_MAX_ROWS"] = 2
    exports_before = len(events(action="export"))
    response = manager_client.get(f"/reports/sessions.pdf?{FILTERS}")
    html = unescape(response.get_data(as_text=True))
    words = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "No PDF was made: this report has 3 rows, and a PDF holds at most 2 rows" in words
    assert f'href="/reports/sessions.csv?{FILTERS}">download the CSV of these filters' in html
    assert 'action="/reports/sessions"' in html and 'value="2020-01-01"' in html
    assert len(events(action="export")) == exports_before


def test_the_offered_csv_holds_every_row(app, manager_client):
    app.config["PDF_MAX_ROWS"] = 2
    manager_client.get(f"/reports/sessions.pdf?{FILTERS}")
    assert len(csv_rows(manager_client, f"/reports/sessions.csv?{FILTERS}")) == 3


def test_a_pdf_of_as_many_rows_as_the_limit_is_made_and_recorded(app, manager_client, dataset):
    app.config["PDF_MAX_ROWS"] = 3
    text = pdf_text(manager_client, f"/reports/sessions.pdf?{FILTERS}")
    assert "RX-000002" in text and "Page 1 of 1" in text
    assert events(action="export")[-1].detail.startswith("Session audit report PDF")
