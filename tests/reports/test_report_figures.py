"""Every figure of every report, on screen, in CSV and in the PDF's text, from a known data set."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import AuditEvent, SessionFlag, TreatmentSession
from compliance.models.treatment import VOIDED
from tests.factories import make_product, make_session, receive_batch
from tests.reports.reading import csv_rows, pdf_text, screen

pytestmark = pytest.mark.usefixtures("dataset")


@pytest.fixture
def inspector_client(client, login, dataset):
    login(dataset["inspector"])
    return client


def test_session_audit_shows_every_session_with_doctor_batches_and_doses(inspector_client):
    html = screen(inspector_client, "/reports/sessions")
    assert "<strong>3</strong> treatment sessions, <strong>3 ml</strong>" in html
    assert "<strong>30 mg</strong> of STS." in html and "25 STS mg" in html
    assert "GMC 7000001" in html and "NMC 12A3456E" in html and "RX-000001" in html
    assert html.count("corrected-mark") == 1


def session_audit_rows(client, dataset) -> tuple[dict, dict, dict]:
    """The session audit CSV's rows for sessions 1, 2 and 3."""
    rows = {int(r["session"]): r for r in csv_rows(client, "/reports/sessions.csv")}
    return tuple(rows[dataset[k].id] for k in ("s1", "s2", "s3"))


def test_session_audit_csv_gives_a_session_its_doctor_batches_and_dose(inspector_client,
                                                                       dataset):
    s1, _, _ = session_audit_rows(inspector_client, dataset)
    assert s1["batches"].startswith("A1 (exp ") and ": 1.5 ml; B2 (exp " in s1["batches"]
    assert (s1["volume ml"], s1["active ingredient"], s1["dose mg"]) == (
        "2.5", "sodium tetradecyl sulphate", "25")
    assert s1["prescribing doctor"] == dataset["doctor"].full_name
    assert s1["doctor registration"] == "GMC 7000001" and s1["prescription"] == "RX-000001"


def test_session_audit_csv_shows_reversals_flags_and_unsigned_sessions(inspector_client,
                                                                       dataset):
    _, s2, s3 = session_audit_rows(inspector_client, dataset)
    assert (s2["volume ml"], s2["dose mg"]) == ("0", "0")
    assert "reversed" in s2["corrections"] and "More than 6 weeks" in s2["flags"]
    assert s3["signed off at (UTC)"] == "" and s3["prescriber registration"] == "NMC 12A3456E"


def test_session_audit_pdf_has_the_figures_and_who_ran_it(inspector_client, dataset):
    text = pdf_text(inspector_client, "/reports/sessions.pdf")
    for expected in ("Session audit", "Demo Vein Clinic", "Page 1 of 1", "Corrected", "RX-000002",
                     "GMC 7000001", dataset["inspector"].full_name, "30 mg"):
        assert expected in text, expected


def test_stock_reconciliation_balances_each_batch(inspector_client):
    rows = {r["batch"]: r for r in csv_rows(inspector_client, "/reports/stock.csv")}
    a1, b2 = rows["A1"], rows["B2"]
    assert [a1[k] for k in ("received ml", "administered ml", "wasted ml", "reversals ml",
                            "expected balance ml", "stored balance ml")] == [
        "20", "3.5", "0.5", "2", "18", "18"]
    assert [b2[k] for k in ("administered ml", "stocktake corrections ml", "expected balance ml",
                            "last count containers", "discrepancy containers")] == [
        "1.5", "-2", "16.5", "7", "-1"]  # numbers, negative ones too (D5)
    assert a1["ledger and balance disagree"] == "" and "reversed" in a1["corrections"]
    html = screen(inspector_client, "/reports/stock")
    assert "<th scope=\"row\">All products</th>" in html and ">34.5<" in html
    assert "<svg" in html and "received, administered and wasted" in html
    text = pdf_text(inspector_client, "/reports/stock.pdf")
    assert "Stock reconciliation" in text and "34.5" in text and "16.5" in text


def test_a_batch_whose_ledger_and_balance_disagree_is_shown_in_red(inspector_client, dataset):
    from sqlalchemy import update

    from compliance.models import Batch
    db.session.execute(update(Batch).where(Batch.id == dataset["a1"].id).values(balance_ul=1))
    db.session.commit()
    html = screen(inspector_client, "/reports/stock")
    assert 'class="mismatch' in html and "ledger sum 18" in html
    html = screen(inspector_client, "/reports/")
    assert ('<span class="stat">1</span> batches whose balance disagrees with their movements'
            in html)


def test_batch_trace_lists_patients_with_contact_details(inspector_client, dataset):
    url = "/reports/trace?batch=A1"
    html = screen(inspector_client, url)
    assert "<strong>2</strong> injections to <strong>1</strong> patients" in html
    assert "<strong>1.5 ml</strong>" in html and "Corrected: reversed" in html
    rows = csv_rows(inspector_client, "/reports/trace.csv?batch=A1")
    assert sorted((r["volume ml"], r["reversed"]) for r in rows) == [("1.5", ""), ("2", "yes")]
    assert {r["phone"] for r in rows} == {"07700 900123"}
    text = pdf_text(inspector_client, "/reports/trace.pdf?batch=A1")
    assert dataset["patient"].reference in text and "07700 900123" in text


def test_expiry_lists_the_near_expiry_batch_only(inspector_client):
    rows = csv_rows(inspector_client, "/reports/expiry.csv")
    assert [(r["batch"], r["days left"], r["status"], r["balance ml"]) for r in rows] == [
        ("B2", "20", "expiring soon", "16.5")]
    html = screen(inspector_client, "/reports/expiry")
    assert "<strong>1</strong> batches holding <strong>16.5 ml</strong>" in html
    assert "B2" in pdf_text(inspector_client, "/reports/expiry.pdf")


def test_exceptions_list_every_flag_discrepancy_complication_and_refusal(inspector_client):
    rows = csv_rows(inspector_client, "/reports/exceptions.csv")
    kinds = sorted(r["exception"] for r in rows)
    late = "Recorded more than 24 hours after the event"
    assert kinds == sorted(["More than 6 weeks since the previous session",
                            "Stocktake discrepancy", "Complication reported",
                            "Batch used within its near-expiry window",
                            "Session unsigned 24 hours after it started", "Refused attempt",
                            *[late] * 4])
    refused = next(r for r in rows if r["exception"] == "Refused attempt")
    assert refused["who"].startswith("Nurse") and refused["rule"] == "Enough stock in the batch"
    assert refused["rule code"] == "D4.7 insufficient stock"
    assert refused["detail"].startswith("draw stock:")
    html = screen(inspector_client, "/reports/exceptions")
    assert "<strong>10</strong> exceptions" in html and "<svg" in html
    text = pdf_text(inspector_client, "/reports/exceptions.pdf")
    assert "Refused attempt" in text and "One ampoule missing" in text


def near_expiry_rows(client, date_from, date_to) -> list[dict]:
    """The exceptions CSV's rows of batches used within their near-expiry window, for a range."""
    rows = csv_rows(client, f"/reports/exceptions.csv?date_from={date_from}&date_to={date_to}")
    return [r for r in rows if r["exception"] == "Batch used within its near-expiry window"]


def test_a_near_expiry_use_on_the_last_day_of_the_range_is_listed(inspector_client):
    """A batch is a candidate by the last day it was used in the range (issue 17); B2, used 5
    days ago and expiring in 20, is found when the range ends that day, and not when it ends
    the day before."""
    used = local_today() - timedelta(days=5)
    assert len(near_expiry_rows(inspector_client, used, used)) == 1
    assert near_expiry_rows(inspector_client, used - timedelta(days=60),
                            used - timedelta(days=1)) == []


def test_a_use_near_expiry_only_by_the_range_s_last_day_is_not_listed(inspector_client,
                                                                       dataset):
    """B2 was used 40 days ago too, when its expiry was 60 days off: near expiry on the last
    day it was used in the range, which makes it a candidate, but not on that day."""
    day1, day2 = dataset["day1"], dataset["day2"]
    assert [(r["date"], r["detail"][:8])
            for r in near_expiry_rows(inspector_client, day1, day2)] == [
        (day2.isoformat(), "batch B2")]


def test_a_session_flagged_near_expiry_is_not_listed_again(inspector_client, dataset):
    """The report adds the uses the rule finds near expiry in sessions without the flag; once
    session 3 has it, B2's use there is the flag's, and the report lists none of its own."""
    day2 = dataset["day2"]
    assert len(near_expiry_rows(inspector_client, day2, day2)) == 1
    db.session.add(SessionFlag(session_id=dataset["s3"].id, code="batch_near_expiry",
                               detail="batch B2 expires soon"))
    db.session.commit()
    assert [r["detail"] for r in near_expiry_rows(inspector_client, day2, day2)] == [
        "batch B2 expires soon"]


def test_a_voided_session_s_near_expiry_use_is_not_listed(inspector_client, dataset):
    """A voided session was never a treatment (D4.5): its use of B2 is no exception."""
    day2 = dataset["day2"]
    assert len(near_expiry_rows(inspector_client, day2, day2)) == 1
    # Core UPDATE: a voided session as the voiding service leaves it, for this report only.
    db.session.execute(update(TreatmentSession).where(TreatmentSession.id == dataset["s3"].id)
                       .values(status=VOIDED))
    db.session.commit()
    assert near_expiry_rows(inspector_client, day2, day2) == []


def test_exceptions_list_the_records_entered_late(inspector_client):
    """Both receipts (received 250 days ago, entered today), session 3 (dated 5 days ago,
    opened 30 hours ago) and the follow-up (seen 26 days ago, entered today)."""
    rows = csv_rows(inspector_client, "/reports/exceptions.csv")
    entered_late = sorted(r["detail"].split(" dated ")[0] for r in rows
                          if r["exception"] == "Recorded more than 24 hours after the event")
    assert [name.split()[0] for name in entered_late] == [
        "Follow-up", "Receipt", "Receipt", "Session"]
    assert entered_late[1:3] == ["Receipt of batch A1", "Receipt of batch B2"]


def test_prescriber_activity_counts_sessions_and_volume_per_month(inspector_client, dataset):
    rows = csv_rows(inspector_client, "/reports/activity.csv")
    doctor = {}
    for r in rows:
        if r["prescriber"] == dataset["doctor"].full_name:
            doctor[r["month"]] = (int(r["sessions"]), r["volume ml"])
    day1, day2 = f"{dataset['day1']:%Y-%m}", f"{dataset['day2']:%Y-%m}"
    expected = {day1: (1, "2.5"), day2: (1, "0")} if day1 != day2 else {day1: (2, "2.5")}
    assert doctor == expected
    nurse = [r for r in rows if r["prescriber"] == dataset["nurse"].full_name]
    assert [(r["sessions"], r["volume ml"]) for r in nurse] == [("1", "0.5")]
    html = screen(inspector_client, "/reports/activity")
    assert "<strong>3</strong> treatment sessions by <strong>2</strong> prescribers" in html
    assert "Page 1 of" in pdf_text(inspector_client, "/reports/activity.pdf")


def test_prescriber_activity_shows_the_last_twelve_months_unless_dates_are_chosen(
        inspector_client, dataset):
    long_ago = local_today() - timedelta(days=400)
    make_session(dataset["prescription"], dataset["doctor"], long_ago, [(dataset["a1"], 100)],
                 number=9)
    html = screen(inspector_client, "/reports/activity")
    assert "<strong>3</strong> treatment sessions" in html and "the last 12 months" in html
    html = screen(inspector_client, f"/reports/activity?date_from={long_ago.isoformat()}")
    assert "<strong>4</strong> treatment sessions" in html and "the last 12 months" not in html
    assert "<strong>3</strong> treatment sessions" in screen(inspector_client, "/reports/sessions")
    # Any filter is a choice: a batch's trace goes back as far as the batch does.
    rows = csv_rows(inspector_client, "/reports/trace.csv?batch=A1")
    assert len(rows) == 3 and min(r["date"] for r in rows) == long_ago.isoformat()


def test_audit_report_verifies_the_chain_and_shows_its_head(inspector_client, dataset):
    html = screen(inspector_client, "/reports/audit")
    assert "not verified yet" in html and "Verify the chain now" in html
    inspector_client.post("/audit/verify")
    html = screen(inspector_client, "/reports/audit")
    assert "chain intact" in html and f"by {dataset['inspector'].full_name}" in html
    rows = csv_rows(inspector_client, "/reports/audit.csv")
    assert any(r["what happened"] == "refused" for r in rows)
    # Balance changes from injections and sign-offs are routine, never corrections.
    assert {r["correction"] for r in rows if r["what happened"] in ("drawn", "signed")} == {""}
    assert "chain intact" in pdf_text(inspector_client, "/reports/audit.pdf")


def test_every_export_is_an_audit_event(inspector_client, dataset):
    before = db.session.query(AuditEvent).filter_by(action="export").count()
    csv_rows(inspector_client, f"/reports/sessions.csv?prescriber={dataset['doctor'].id}")
    pdf_text(inspector_client, "/reports/expiry.pdf")
    events = db.session.query(AuditEvent).filter_by(action="export").order_by(
        AuditEvent.seq).all()
    assert len(events) == before + 2
    assert "Session audit report CSV" in events[-2].detail and "Prescriber: Doctor" in \
        events[-2].detail
    assert events[-1].actor_id == dataset["inspector"].id


def test_bad_filter_input_gets_a_clear_message(inspector_client):
    response = inspector_client.get("/reports/sessions?date_from=2026-02-01&date_to=2026-01-01")
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)
    response = inspector_client.get("/reports/sessions.csv?patient=NOPE")
    assert response.status_code == 400 and "No patient has the reference NOPE" in \
        response.get_data(as_text=True)
    assert inspector_client.get("/reports/trace?page=0").status_code == 400


def test_a_batch_is_filtered_by_its_number_and_an_ambiguous_number_is_refused(
        inspector_client, dataset):
    response = inspector_client.get("/reports/trace?batch=NOPE")
    assert response.status_code == 400 and "No batch has the number NOPE." in \
        response.get_data(as_text=True)
    other = make_product("3")
    receive_batch(dataset["manager"], other, containers=2, batch_number="A1")
    response = inspector_client.get("/reports/trace?batch=A1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "used by more than one product" in html
    assert 'value="A1"' in html  # the input is kept
    rows = csv_rows(inspector_client,  # typed in lower case: batch numbers are kept in capitals
                    f"/reports/trace.csv?batch=a1&product={dataset['product'].id}")
    assert {r["batch"] for r in rows} == {"A1"} and len(rows) == 2


def test_filters_narrow_the_session_audit(inspector_client, dataset):
    rows = csv_rows(inspector_client, f"/reports/sessions.csv?patient={dataset['other'].reference}")
    assert [int(r["session"]) for r in rows] == [dataset["s3"].id]
    rows = csv_rows(inspector_client, "/reports/sessions.csv?batch=B2&sort=date"
                                      "&direction=asc")
    assert [int(r["session"]) for r in rows] == [dataset["s1"].id, dataset["s3"].id]
    html = screen(inspector_client, f"/reports/sessions?date_from={dataset['day2']}")
    assert "<strong>2</strong> treatment sessions" in html and "From:" in html


def test_dashboard_counts_and_verification(inspector_client):
    html = screen(inspector_client, "/reports/")
    assert '<span class="stat">3</span> treatment sessions' in html
    assert "<strong>2</strong> batches" in html
    assert '<span class="stat">1</span> sessions unsigned after 24 hours' in html
    assert "not verified yet" in html and "never verified" in html
    inspector_client.post("/audit/verify")
    html = screen(inspector_client, "/reports/")
    assert "chain intact" in html and "event(s) recorded since" not in html
    inspector_client.get("/reports/audit.csv")  # an export: one more event on the trail
    assert "1 event(s) recorded since" in screen(inspector_client, "/reports/")


@pytest.mark.parametrize("days_from, days_to", [(None, None), (20, None), (None, 10), (45, 3),
                                                (3, 1)])
def test_product_totals_from_kept_totals_equal_the_batches_summed_from_the_ledger(
        dataset, days_from, days_to):
    """The per-product rows come from the totals each batch keeps; the per-batch rows are
    summed from the ledger itself. For any date range they must agree."""
    from compliance.services.reports import stock as reconciliation
    from compliance.services.reports.common import Filters, Listing

    def ago(days):
        return local_today() - timedelta(days=days) if days is not None else None

    filters = Filters(date_from=ago(days_from), date_to=ago(days_to))
    result = reconciliation.report(filters, Listing("product_name", page=None))
    for name in (*reconciliation.MOVEMENTS, "stored_ul", "ledger_total_ul", "expected_ul"):
        assert getattr(result.totals["all"], name) == sum(getattr(r, name) for r in result.rows)


def test_reconciliation_opening_and_movements_for_a_date_range(inspector_client, dataset):
    """From 20 days ago: A1 opens at 20 - 1.5 ml (session 1); session 2's 2 ml, its reversal
    and the 0.5 ml waste fall in the range."""
    start = (local_today() - timedelta(days=20)).isoformat()
    rows = {r["batch"]: r for r in csv_rows(inspector_client,
                                            f"/reports/stock.csv?date_from={start}")}
    a1 = rows["A1"]
    assert [a1[k] for k in ("opening ml", "received ml", "administered ml", "wasted ml",
                            "reversals ml", "expected balance ml")] == [
        "18.5", "0", "2", "0.5", "2", "18"]
    html = screen(inspector_client, f"/reports/stock?date_from={start}")
    assert ">37.5<" in html  # both batches' opening: 40 ml received less 2.5 ml of session 1


@pytest.mark.parametrize("sort", ["expected_ul", "discrepancy", "expires_on", "batch_number"])
@pytest.mark.parametrize("descending", [False, True])
def test_reconciliation_pages_sort_in_the_database_as_they_would_in_python(
        dataset, monkeypatch, sort, descending):
    """Page after page (two rows each), the batches come in the order of their values, ties
    by id, never-counted ones first going up: the same order as sorting every row."""
    from compliance.services.reports import common
    from compliance.services.reports import stock as reconciliation
    from compliance.services.reports.common import Filters, Listing

    for n in range(3):
        receive_batch(dataset["manager"], dataset["product"], containers=3,
                      batch_number=f"C{n}", expires_in_days=100)
    monkeypatch.setattr(common, "PAGE_SIZE", 2)
    filters = Filters(date_to=local_today() - timedelta(days=10))
    every_row = reconciliation.report(filters, Listing("product_name", page=None)).rows
    assert len(every_row) == 5
    pages = [reconciliation.report(filters, Listing(sort, descending, page)).rows
             for page in (1, 2, 3)]

    def key(row):
        value = getattr(row, sort)
        return (value is not None, value, row.batch_id)

    expected = sorted(every_row, key=key, reverse=descending)
    assert [r.batch_id for page in pages for r in page] == [r.batch_id for r in expected]


def test_a_report_reads_one_moment_on_postgresql(inspector_client, monkeypatch):
    """Totals and rows come from several statements: on PostgreSQL they run in one
    REPEATABLE READ transaction, so a draw committed meanwhile is in all of them or none."""
    from compliance.services.reports import stock as reconciliation

    if db.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite read transaction is one snapshot already")
    seen, product_rows = [], reconciliation.product_rows

    def spy(filters):
        seen.append(db.session.connection().get_isolation_level())
        return product_rows(filters)

    monkeypatch.setattr(reconciliation, "product_rows", spy)
    screen(inspector_client, "/reports/stock")
    assert seen == ["REPEATABLE READ"]


def _three_products(dataset, monkeypatch):
    """The dataset's product (A1, B2) between two more, F0-F1 first and Z0-Z3 last by name;
    pages of three rows. Returns the last product."""
    from compliance.services.reports import common

    first = make_product(strength="3", name="Aaa STS 3% 2 ml ampoule")
    last = make_product(strength="0.5", name="Zzz STS 0.5% 2 ml ampoule")
    for product, numbers in ((last, ("Z0", "Z1", "Z2", "Z3")), (first, ("F0", "F1"))):
        for number in numbers:
            receive_batch(dataset["manager"], product, containers=2, batch_number=number)
    monkeypatch.setattr(common, "PAGE_SIZE", 3)
    return last


def _in_product_order(filters, descending: bool, pages) -> list[list]:
    from compliance.services.reports import stock as reconciliation
    from compliance.services.reports.common import Listing

    return [reconciliation.report(filters, Listing("product_name", descending, page)).rows
            for page in pages]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("at_first_location", [False, True])
def test_reconciliation_pages_in_product_order_read_product_by_product(
        dataset, monkeypatch, descending, at_first_location):
    """Page after page (three rows each), the batches come by product name, ties by id, as
    every row sorted would, and as the export lists them: pages that start inside a product
    and span two or three."""
    from compliance.models.location import FIRST_LOCATION_ID
    from compliance.services.reports.common import Filters

    _three_products(dataset, monkeypatch)
    filters = Filters(location_ids=[FIRST_LOCATION_ID] if at_first_location else None)
    [every_row] = _in_product_order(filters, False, [None])
    assert [row.batch_number for row in every_row] == ["F0", "F1", "A1", "B2",
                                                       "Z0", "Z1", "Z2", "Z3"]
    pages = _in_product_order(filters, descending, [1, 2, 3, 4])
    assert [len(page) for page in pages] == [3, 3, 2, 0]
    expected = [r.batch_id for r in (every_row[::-1] if descending else every_row)]
    assert [r.batch_id for page in pages for r in page] == expected
    [exported] = _in_product_order(filters, descending, [None])
    assert [r.batch_id for r in exported] == expected


@pytest.mark.parametrize("descending", [False, True])
def test_reconciliation_of_one_product_pages_its_batches_alone(dataset, monkeypatch,
                                                               descending):
    from compliance.services.reports.common import Filters

    last = _three_products(dataset, monkeypatch)
    pages = _in_product_order(Filters(product_id=last.id), descending, [1, 2])
    numbers = ["Z0", "Z1", "Z2", "Z3"][::-1 if descending else 1]
    assert [[r.batch_number for r in page] for page in pages] == [numbers[:3], numbers[3:]]
