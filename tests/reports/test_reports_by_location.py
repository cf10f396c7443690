"""Reports by location (D5, D7): every report filters by a location of the user's scope, or
shows every location of it together; reconciliation per location; the batch trace follows a
batch across locations; activity per prescriber per location.

Batch S1 (STS 1%, 2 ml ampoules, expiring in 20 days) is received at both locations: 10
ampoules at Main clinic, 6 at Harbour Street. At Main clinic a session 40 days ago draws 1.5 ml
and an ampoule is broken (2 ml waste); at Harbour Street a session 5 days ago draws 1 ml. So
Main clinic received 20 ml and holds 16.5 ml, Harbour Street received 12 ml and holds 11 ml.
"""

from datetime import timedelta

import pytest

from compliance.clock import local_today
from compliance.services import stock
from compliance.services.refusals import record_refusal
from compliance.services.reports import stock as reconciliation
from compliance.services.reports.common import Filters, Listing
from tests.factories import PASSWORD, make_product, make_session, ready_patient, receive_batch
from tests.location_helpers import make_location, user_at
from tests.reports.reading import csv_parts, csv_rows, pdf_text, screen
from tests.reports.test_report_exports import counted_statements

HERE, THERE = "Main clinic", "Harbour Street"


@pytest.fixture
def group(users):
    there = make_location(THERE)
    here_manager, there_manager = user_at("manager", 1), user_at("manager", there.id)
    product = make_product()
    batch = receive_batch(here_manager, product, containers=10, batch_number="S1",
                          expires_in_days=20)
    receive_batch(there_manager, product, containers=6, batch_number="S1", expires_in_days=20)
    _patient, rx = ready_patient(users, product)
    today = local_today()
    make_session(rx, users["doctor"], today - timedelta(days=40), [(batch, 1500)],
                 location_id=1)
    make_session(rx, users["doctor"], today - timedelta(days=5), [(batch, 1000)], number=2,
                 location_id=there.id)
    stock.record_waste(here_manager, batch.id, stock.Waste(
        1, 0, "breakage", "Dropped on the floor", users["nurse"].email, PASSWORD))
    record_refusal(users["nurse"], "GET /users", "manage_users")
    return dict(users, batch=batch, product=product, here=1, there=there.id,
                there_manager=there_manager)


@pytest.fixture
def provider_client(client, login, group):
    login(group["inspector"])  # an inspector of the whole provider
    return client


def test_the_session_audit_lists_one_location_or_all_of_them(provider_client, group):
    rows = csv_rows(provider_client, "/reports/sessions.csv")
    assert sorted(r["location"] for r in rows) == [THERE, HERE]
    [there] = csv_rows(provider_client, f"/reports/sessions.csv?location={group['there']}")
    assert there["location"] == THERE and there["volume ml"] == "1"
    html = screen(provider_client, f"/reports/sessions?location={group['there']}")
    assert "<strong>1</strong> treatment sessions" in html
    # The downloads keep the location chosen.
    assert f"/reports/sessions.csv?location={group['there']}" in html
    assert f"/reports/sessions.pdf?location={group['there']}" in html


def test_reconciliation_per_location_and_for_the_group(provider_client, group):
    def s1(query: str) -> dict:
        [row] = csv_rows(provider_client, f"/reports/stock.csv{query}")
        return {k: row[k] for k in ("received ml", "administered ml", "wasted ml",
                                    "expected balance ml", "stored balance ml",
                                    "ledger and balance disagree")}

    assert s1(f"?location={group['here']}") == {
        "received ml": "20", "administered ml": "1.5", "wasted ml": "2",
        "expected balance ml": "16.5", "stored balance ml": "16.5",
        "ledger and balance disagree": ""}
    assert s1(f"?location={group['there']}") == {
        "received ml": "12", "administered ml": "1", "wasted ml": "0",
        "expected balance ml": "11", "stored balance ml": "11",
        "ledger and balance disagree": ""}
    assert s1("") == {
        "received ml": "32", "administered ml": "2.5", "wasted ml": "2",
        "expected balance ml": "27.5", "stored balance ml": "27.5",
        "ledger and balance disagree": ""}
    html = screen(provider_client, "/reports/stock")
    assert "Per location" in html and f">{HERE}</a>" in html and f">{THERE}</a>" in html
    assert ">16.5<" in html and ">11<" in html


@pytest.mark.parametrize("days_from, days_to", [(None, None), (20, None), (None, 10), (45, 3)])
@pytest.mark.parametrize("where", ["here", "there", "both"])
def test_a_location_s_product_totals_equal_its_batches_summed(group, where, days_from, days_to):
    """Per product, from the ledger entries at the locations; per batch, the same summed
    batch by batch: for any date range they agree, and with the parts held there."""
    def ago(days):
        return local_today() - timedelta(days=days) if days is not None else None

    ids = {"here": {group["here"]}, "there": {group["there"]},
           "both": {group["here"], group["there"]}}[where]
    filters = Filters(date_from=ago(days_from), date_to=ago(days_to),
                      location_ids=frozenset(ids))
    result = reconciliation.report(filters, Listing("product_name", page=None))
    for name in (*reconciliation.MOVEMENTS, "stored_ul", "ledger_total_ul", "expected_ul"):
        assert getattr(result.totals["all"], name) == sum(getattr(r, name) for r in result.rows)
    assert not any(row.mismatch for row in result.rows)
    assert result.count == len(result.rows) >= 1  # counted from the products' totals
    if days_to is None:
        assert result.totals["all"].expected_ul == result.totals["all"].stored_ul


@pytest.mark.parametrize("where, expected", [
    (None, {"all": {"S1", "P9"}, "sts": {"S1"}, "other": {"P9"}}),
    ("here", {"all": {"S1"}, "sts": {"S1"}, "other": set()}),
    ("there", {"all": {"S1", "P9"}, "sts": {"S1"}, "other": {"P9"}}),
    ("both", {"all": {"S1", "P9"}, "sts": {"S1"}, "other": {"P9"}})])
def test_the_reconciliation_counts_the_batches_it_lists(group, where, expected):
    """The count, summed from the products' totals, is the number of batches listed: for the
    group and for locations (a batch held at two of them once), of every product, of one, or
    one batch."""
    other = make_product("3")
    receive_batch(group["there_manager"], other, containers=2, batch_number="P9")
    ids = {None: None, "here": {group["here"]}, "there": {group["there"]},
           "both": {group["here"], group["there"]}}[where]
    expected = {**expected, "batch S1": {"S1"}}  # held at both locations
    for chosen, product_id, batch_id in (("all", None, None), ("sts", group["product"].id, None),
                                         ("other", other.id, None),
                                         ("batch S1", group["product"].id, group["batch"].id)):
        filters = Filters(product_id=product_id, batch_id=batch_id,
                          location_ids=None if ids is None else frozenset(ids))
        result = reconciliation.report(filters, Listing("product_name", page=None))
        assert {row.batch_number for row in result.rows} == expected[chosen]
        assert result.count == len(result.rows) == len(expected[chosen])
        first_page = reconciliation.report(filters, Listing("product_name", page=1))
        assert first_page.count == result.count


def test_the_trace_follows_a_batch_across_locations(provider_client, group):
    rows = csv_rows(provider_client, "/reports/trace.csv?batch=S1")
    assert sorted((r["location"], r["volume ml"]) for r in rows) == [(THERE, "1"), (HERE, "1.5")]
    html = screen(provider_client, "/reports/trace?batch=S1")
    assert "Where the batch is" in html
    parts = html.split('id="batch-parts-table"')[1].split("</table>")[0]
    assert HERE in parts and THERE in parts and "receipt: 12 ml" in parts
    text = pdf_text(provider_client, f"/reports/trace.pdf?batch=S1&location={group['there']}")
    assert THERE in text and "receipt: 20 ml" not in text
    only_there = csv_rows(provider_client, f"/reports/trace.csv?batch=S1&location={group['there']}")
    assert [r["location"] for r in only_there] == [THERE]


def test_activity_per_prescriber_per_location(provider_client, group):
    since = (local_today() - timedelta(days=60)).isoformat()
    rows = csv_rows(provider_client, f"/reports/activity.csv?date_from={since}")
    doctor = group["doctor"].full_name
    assert sorted((r["prescriber"], r["location"], r["sessions"]) for r in rows) == [
        (doctor, THERE, "1"), (doctor, HERE, "1")]
    html = screen(provider_client, f"/reports/activity?date_from={since}")
    assert "<strong>2</strong> treatment sessions by <strong>1</strong> prescribers" in html


def test_expiry_lists_each_location_s_part_and_counts_the_batch_once(provider_client, group):
    rows = csv_rows(provider_client, "/reports/expiry.csv")
    assert sorted((r["location"], r["balance ml"]) for r in rows) == [
        (THERE, "11"), (HERE, "16.5")]
    html = screen(provider_client, "/reports/expiry")
    assert "<strong>1</strong> batches holding <strong>27.5 ml</strong>" in html
    [there] = csv_rows(provider_client, f"/reports/expiry.csv?location={group['there']}")
    assert there["location"] == THERE


def test_one_location_s_exceptions_leave_out_what_belongs_to_no_location(provider_client,
                                                                           group):
    every = csv_rows(provider_client, "/reports/exceptions.csv")
    assert any(r["exception"] == "Refused attempt" and r["location"] == "" for r in every)
    here = csv_rows(provider_client, f"/reports/exceptions.csv?location={group['here']}")
    assert here and {r["location"] for r in here} == {HERE}
    there = csv_rows(provider_client, f"/reports/exceptions.csv?location={group['there']}")
    assert {r["location"] for r in there} <= {THERE}


def test_one_location_s_audit_trail_holds_only_events_about_its_records(provider_client,
                                                                       group):
    every = csv_rows(provider_client, "/reports/audit.csv")
    there = csv_rows(provider_client, f"/reports/audit.csv?location={group['there']}")
    assert 0 < len(there) < len(every)
    assert not any(r["record"].startswith("patient ") for r in there)
    assert any(r["record"].startswith("patient ") for r in every)


def test_a_scoped_inspector_chooses_among_their_locations_only(client, login, group):
    login(user_at("inspector", group["there"]))
    html = screen(client, "/reports/sessions")
    choices = html.split('name="location"')[1].split("</select>")[0]
    assert THERE in choices and HERE not in choices and "All my locations" in choices
    preamble, table = csv_parts(client.get("/reports/sessions.csv").get_data(as_text=True))
    assert any(f"Locations: all in your scope: {THERE}" in ",".join(line) for line in preamble)
    assert [row[-1] for row in table[1:]] == [THERE]
    response = client.get(f"/reports/sessions?location={group['here']}")
    assert response.status_code == 400 and HERE not in response.get_data(as_text=True)


@pytest.mark.parametrize("scoped", [False, True])
def test_report_pages_by_location_run_the_same_statements_whatever_the_rows(
        client, login, group, scoped):
    login(user_at("inspector", group["there"]) if scoped else group["inspector"])
    where = f"location={group['there']}"
    urls = [f"/reports/{name}?{where}" for name in (
        "sessions", "stock", "exceptions", "activity", "audit", "expiry")]
    urls += [f"/reports/trace?batch=S1&{where}", "/reports/", "/reports/stock"]
    before = {}
    for url in urls:
        with counted_statements() as seen:
            assert client.get(url).status_code == 200, url
        before[url] = len(seen)
    _patient, more_rx = ready_patient(group, group["product"])
    for n in range(3):
        make_session(more_rx, group["doctor"], local_today() - timedelta(days=n),
                     [(group["batch"], 100)], number=n + 1, location_id=group["there"])
    receive_batch(group["there_manager"], group["product"], containers=2, batch_number="S2")
    for url in urls:
        with counted_statements() as seen:
            assert client.get(url).status_code == 200, url
        assert len(seen) == before[url], url
