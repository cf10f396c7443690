"""The audit trail report says what happened, names each record as people do, links it to its
page when the reader may open it, and shows old -> new values: on screen, in CSV and PDF."""

import re

import pytest

from tests.reports.reading import csv_rows, pdf_text, screen


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def names(dataset) -> dict:
    patient = dataset["patient"]
    return {"s1": f"session 1 of 6, {patient.first_name} {patient.last_name}",
            "a1": "batch A1", "manager": f"account of {dataset['manager'].full_name}"}


def test_routine_updates_say_what_happened_not_correction(client, login, dataset, names):
    login(dataset["manager"])
    rows = csv_rows(client, "/reports/audit.csv")
    said = {(r["what happened"], r["record"]) for r in rows}
    assert {("received", names["a1"]), ("drawn", names["a1"]), ("wasted", names["a1"]),
            ("opened", names["s1"]), ("signed", names["s1"]),
            ("refused", ""),
            ("corrected by stocktake", "batch B2"), ("reversed", names["a1"])} <= said
    # The stocktake's countersignature is named by the record it signs.
    assert any(what == "signed" and record.startswith("signature on stocktake ")
               for what, record in said)
    assert "update" not in {r["what happened"] for r in rows}
    assert all(r["correction"] == "" for r in rows)  # nothing here was corrected


def changes_of(rows: list[dict], what: str, record: str) -> list[str]:
    return [r["changes (old -> new)"] for r in rows
            if (r["what happened"], r["record"]) == (what, record)]


def test_the_report_shows_old_and_new_values_of_each_changed_field(client, login, dataset,
                                                                   names):
    login(dataset["manager"])
    rows = csv_rows(client, "/reports/audit.csv")
    [signed] = changes_of(rows, "signed", names["s1"])
    assert signed.startswith("signed at: none -> ") and signed.endswith("status: open -> signed")
    assert ("administration total (ml): 0 -> -1.5; balance (ml): 20 -> 18.5; sealed "
            "containers: 10 -> 9") in changes_of(rows, "drawn", names["a1"])
    html = screen(client, "/reports/audit?page=1")
    assert "balance (ml): <del>20</del> → <ins>18.5</ins>" in html
    assert "Correction" not in html


def test_records_link_to_their_pages_only_for_readers_who_may_open_them(app, client, login,
                                                                         dataset, names):
    a1, s1, manager = dataset["a1"], dataset["s1"], dataset["manager"]
    login(manager)
    html = screen(client, "/reports/audit?date_from=2000-01-01")
    assert f'<a href="/stock/batches/{a1.id}">{names["a1"]}</a>' in html
    assert f'<a href="/treatment/sessions/{s1.id}">{names["s1"]}</a>' in html
    assert f'<a href="/users/{manager.id}">{names["manager"]}</a>' in html
    rows = csv_rows(client, "/reports/audit.csv")
    assert any(r["record's page"].endswith(f"/stock/batches/{a1.id}") for r in rows)
    reader = app.test_client()
    reader.post("/login", data={"email": dataset["inspector"].email,
                                "password": "Correct-Horse-Battery-9"})
    html = screen(reader, "/reports/audit?date_from=2000-01-01")
    # The inspector reads batches and sessions, but not users' accounts.
    assert f'<a href="/stock/batches/{a1.id}">' in html and names["manager"] in html
    assert f'href="/users/{manager.id}"' not in html


def test_the_pdf_carries_the_same_words(client, login, dataset, names):
    login(dataset["manager"])
    text = text_of(pdf_text(client, "/reports/audit.pdf"))
    for words in ("What happened", "drawn", "signed", "wasted", names["a1"],
                  "balance (ml): 20 → 18.5"):
        assert words in text


def test_the_audit_trail_page_uses_the_same_words(client, login, dataset, names):
    login(dataset["inspector"])
    html = screen(client, "/audit/?table=batches")
    assert f'<a href="/audit/records/batches/{dataset["a1"].id}" title="batches ' in html
    assert f'>{names["a1"]}</a>' in html
    assert '">drawn</span>' in html and '">update</span>' not in html
