"""Doses are labelled with the product's own sclerosant (D2): on screen, in CSV and in PDF,
and mg of different sclerosants are never added together."""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from tests.factories import make_product, make_session, ready_patient, receive_batch
from tests.reports.test_report_figures import csv_rows, pdf_text, screen

pytestmark = pytest.mark.usefixtures("dataset")


@pytest.fixture
def polidocanol_session(users, login, client):
    """Beside the data set's STS sessions (30 mg), one of polidocanol 1%: 1.5 ml, 15 mg."""
    product = make_product(name="Polidocanol 1% 2 ml ampoule", active_ingredient="polidocanol")
    batch = receive_batch(users["manager"], product, batch_number="POL1")
    _patient, prescription = ready_patient(users, product)
    session = make_session(prescription, users["doctor"], local_today() - timedelta(days=3),
                           [(batch, 1_500)])
    login(users["inspector"])
    return session


def test_the_session_report_labels_each_dose_with_its_sclerosant(client, polidocanol_session):
    html = screen(client, "/reports/sessions")
    assert ("<strong>4.5 ml</strong> administered, <strong>30 mg</strong> of STS and "
            "<strong>15 mg</strong> of polidocanol.") in html
    assert "15 polidocanol mg" in html and "25 STS mg" in html
    assert "STS mg" not in html.split("15 polidocanol mg")[0].rsplit("<tr", 1)[-1]
    rows = {int(r["session"]): r for r in csv_rows(client, "/reports/sessions.csv")}
    row = rows[polidocanol_session.id]
    assert (row["active ingredient"], row["dose mg"]) == ("polidocanol", "15")
    text = " ".join(pdf_text(client, "/reports/sessions.pdf").split())  # lines wrap in cells
    assert "15 polidocanol mg" in text and "30 mg of STS and 15 mg of polidocanol" in text


def test_the_session_page_labels_doses_with_the_prescribed_sclerosant(client, users, login,
                                                                     polidocanol_session):
    client.post("/logout")
    login(users["doctor"])
    body = screen(client, f"/treatment/sessions/{polidocanol_session.id}")
    assert "Dose (polidocanol mg)" in body and "STS" not in body.split("Injections")[1]
