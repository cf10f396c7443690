"""Exports stream with flat memory, neutralise formulas; pages do not grow their SQL with rows;
recall contacts are logged by managers only; the chart module draws what it is given."""

import tracemalloc
from contextlib import contextmanager

from sqlalchemy import event, func, insert, literal, select

from compliance.charts import Series, bar_chart, line_chart, nice_ceiling
from compliance.clock import local_today, utcnow
from compliance.csvexport import LINES_BEFORE_ROWS
from compliance.extensions import db
from compliance.models import Injection, LedgerEntry, RecallContact, TreatmentSession
from compliance.services import stock
from tests.factories import make_patient, make_session, ready_patient, receive_batch


@contextmanager
def counted_statements():
    db.session.commit()  # every measurement starts outside a transaction, user not loaded
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _numbered(query, order_by, name: str):
    """`query`'s rows with their place, from 0, in the order of `order_by`."""
    return query.add_columns((func.row_number().over(order_by=order_by) - 1).label("k")
                             ).subquery(name)


def _bulk_injections(dataset, total: int, per_session: int = 100) -> None:
    """`total` injections from batch A1, per_session to a session, written by the database
    itself (INSERT ... SELECT: a bulk insert of Python rows took most of this test's time on
    PostgreSQL); no services."""
    rx, doctor, batch = dataset["prescription"], dataset["doctor"], dataset["a1"]
    today, now = local_today(), utcnow()
    first_entry = db.session.scalar(select(func.coalesce(func.max(LedgerEntry.id), 0))) + 1
    sessions = [dict(patient_id=rx.patient_id, prescription_id=rx.id, prescriber_id=doctor.id,
                     location_id=1, session_date=today, started_at=now, treatment_areas="left calf",
                     session_number=1, status="signed", signed_at=now)
                for _ in range(total // per_session)]
    session_ids = db.session.scalars(insert(TreatmentSession).returning(TreatmentSession.id),
                                     sessions).all()
    _bulk_entries(total, dict(batch_id=batch.id, location_id=1, entry_type="administration",
                              quantity_ul=-10, containers=0, balance_after_ul=0,
                              containers_after=0, actor_id=doctor.id, recorded_at=now,
                              occurred_on=today))
    _link_injections(batch, now, per_session, session_ids, first_entry)
    db.session.commit()


def _link_injections(batch, now, per_session: int, session_ids: list[int], first_entry: int):
    """An injection for each ledger entry from `first_entry` on, per_session to a session."""
    entries = _numbered(select(LedgerEntry.id).where(LedgerEntry.id >= first_entry),
                        LedgerEntry.id, "entries")
    visits = _numbered(select(TreatmentSession.id).where(TreatmentSession.id.in_(session_ids)),
                       TreatmentSession.id, "visits")
    columns = dict(session_id=visits.c.id, batch_id=literal(batch.id), volume_ul=literal(10),
                   site=literal("left calf"), points=literal(1), ledger_entry_id=entries.c.id,
                   recorded_at=literal(now, Injection.recorded_at.type))
    db.session.execute(insert(Injection).from_select(list(columns), select(*columns.values())
                       .join_from(entries, visits, visits.c.k == entries.c.k // per_session)))


def _bulk_entries(total: int, entry: dict) -> None:
    """`total` copies of the ledger entry `entry`, counted out by a recursive CTE."""
    counter = select(literal(1).label("i")).cte("counter", recursive=True)
    counter = counter.union_all(select(counter.c.i + 1).where(counter.c.i < total))
    db.session.execute(insert(LedgerEntry).from_select(list(entry), select(*(
        literal(value, LedgerEntry.__table__.c[name].type) for name, value in entry.items()
    )).select_from(counter)))


def test_csv_of_100000_injections_streams_with_flat_memory(client, login, dataset):
    _bulk_injections(dataset, 100_000)
    login(dataset["inspector"])
    response = client.get("/reports/trace.csv?batch=A1")
    tracemalloc.start()
    lines = 0
    for chunk in response.response:
        lines += chunk.count("\n") if isinstance(chunk, str) else chunk.count(b"\n")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The preamble, blank line and header; the data set's two injections; the bulk rows.
    assert lines == LINES_BEFORE_ROWS + 2 + 100_000
    assert peak < 12 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB: the export is not streaming"


def test_formula_like_values_are_neutralised_in_csv(client, login, dataset, users):
    patient, rx = ready_patient(users, dataset["product"])
    patient.first_name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    make_session(rx, users["doctor"], local_today(), [(dataset["a1"], 100)])
    login(dataset["inspector"])
    text = client.get("/reports/sessions.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_report_pages_run_the_same_number_of_statements_whatever_the_rows(client, login,
                                                                          dataset):
    login(dataset["inspector"])
    urls = ["/reports/sessions", "/reports/stock", "/reports/trace?batch=A1",
            "/reports/exceptions", "/reports/activity", "/reports/audit", "/reports/expiry"]
    before = {}
    for url in urls:
        with counted_statements() as seen:
            assert client.get(url).status_code == 200
        before[url] = len(seen)
    for n in range(5):
        make_session(dataset["prescription"], dataset["doctor"], local_today(),
                     [(dataset["a1"], 100), (dataset["b2"], 100)], number=3 + n)
    for url in urls:
        with counted_statements() as seen:
            assert client.get(url).status_code == 200
        assert len(seen) == before[url], url


def test_everyday_pages_run_the_same_number_of_statements_whatever_the_rows(client, login,
                                                                            dataset):
    """Stock overview, a batch with its ledger, a patient record and a session: more
    sessions, injections and ledger entries must not mean more SQL statements."""
    login(dataset["inspector"])
    s1 = dataset["s1"]
    urls = ["/stock/", f"/stock/batches/{dataset['a1'].id}",
            f"/patients/{dataset['patient'].id}", f"/treatment/sessions/{s1.id}"]
    before = {}
    for url in urls:
        with counted_statements() as seen:
            assert client.get(url).status_code == 200, url
        before[url] = len(seen)
    for n in range(5):
        make_session(dataset["prescription"], dataset["doctor"], local_today(),
                     [(dataset["a1"], 100), (dataset["b2"], 100)], number=3 + n)
    receive_batch(dataset["manager"], dataset["product"], containers=2, batch_number="C3")
    for url in urls:
        with counted_statements() as seen:
            assert client.get(url).status_code == 200
        assert len(seen) == before[url], url


def test_manager_logs_recall_contacts_and_inspector_cannot(client, login, dataset):
    manager, b2 = dataset["manager"], dataset["b2"]
    stock.change_state(manager, b2.id, "recall", "Supplier recall notice 42")
    login(dataset["inspector"])
    html = client.get(f"/reports/trace?batch={b2.batch_number}").get_data(as_text=True)
    assert "Recall contact log" in html and "Not contacted yet" in html
    assert "Log contact attempt" not in html
    data = {"patient_id": dataset["patient"].id, "method": "phone", "outcome": "Spoke to her"}
    assert client.post(f"/reports/trace/batches/{b2.id}/contacts", data=data).status_code == 403
    client.post("/logout")
    login(manager)
    response = client.post(f"/reports/trace/batches/{b2.id}/contacts", data=data,
                           follow_redirects=True)
    assert "Contact attempt logged." in response.get_data(as_text=True)
    assert "Spoke to her" in response.get_data(as_text=True)
    stranger = make_patient()
    client.post(f"/reports/trace/batches/{b2.id}/contacts",
                data={**data, "patient_id": stranger.id})
    contacts = db.session.query(RecallContact).all()
    assert [(c.patient_id, c.method) for c in contacts] == [(dataset["patient"].id, "phone")]
    response = client.post(f"/reports/trace/batches/{b2.id}/contacts",
                           data={**data, "patient_id": "someone"}, follow_redirects=True)
    assert "Choose how the patient was contacted and say what happened." in response.get_data(
        as_text=True)
    assert db.session.query(RecallContact).count() == 1


def test_charts_scale_bars_and_escape_labels():
    assert [nice_ceiling(v) for v in (0, 7, 12, 240, 1000)] == [1, 10, 20, 250, 1000]
    svg = str(bar_chart("Stock <used>", ["2026-01", "2026-02"],
                        [Series("Received", [10, 5]), Series("Used", [2.5, 0])], "ml"))
    assert svg.startswith('<figure class="chart-figure"><svg') and "style=" not in svg
    assert "<figcaption>Stock &lt;used&gt;</figcaption>" in svg
    assert "Stock &lt;used&gt;</title>" in svg
    assert "<desc" in svg and "Received (ml): 2026-01 10, 2026-02 5. Used (ml): " in svg
    assert svg.count("<rect") == 4 + 2  # four bars and two legend keys
    assert 'height="220.0"' in svg  # the tallest bar fills the plot (10 of an axis of 10)
    line = str(line_chart("Sessions", ["a", "b", "c"], [Series("Dr A", [1, 2, 3])]))
    assert line.count("<circle") == 3 and "<polyline" in line
