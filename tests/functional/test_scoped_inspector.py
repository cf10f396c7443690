"""An inspector scoped to one location sees nothing of another (D7) on any page, in any report,
CSV or PDF: read through what they are given, not only the status codes.

The second location's records carry markers (batch FAR9, reasons and notes saying FARAWAY,
the location's own name) found nowhere else; the first location's carry NEAR1, which the
inspector must see. The patient treated only at the second location is group-wide (D7): her
record is readable, but no report, stock or treatment page lists her sessions there.

The users of one location are given each PDF as the print HTML that WeasyPrint lays out
(`unrendered_pdfs`): every word of the PDF is a word of that HTML. The group-wide inspector
reads the real PDFs, and finds the markers in each.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from compliance.clock import local_today, utcnow
from compliance.errors import DomainError
from compliance.extensions import db
from compliance.models import (
    FollowUp,
    Location,
    SessionAddendum,
    SessionFlag,
    Stocktake,
    TreatmentSession,
)
from compliance.services import stock, stock_queries, stocktakes, temperature_imports
from tests.conftest import UNRENDERED_PDF, built_once, sign_in
from tests.factories import (
    PASSWORD,
    ROLE_PROFILES,
    make_product,
    make_session,
    make_user,
    ready_patient,
    receive_batch,
)
from tests.functional.test_route_matrix import SAMPLE_ARGS, SAMPLE_QUERY, patient_sample
from tests.functional.test_route_matrix_locations import places_at
from tests.location_helpers import make_location, user_at
from tests.reports.reading import csv_parts, pdf_text
from tests.temperature_helpers import CUPBOARD, at_text, logger_csv, minutes_ago

ELSEWHERE = ("FAR9", "FARAWAY", "Harbour Street")
PATIENT_ELSEWHERE = "Farawaypatient"
# Pages where a group-wide record of the patient treated elsewhere is rightly shown: her own
# record, and the audit trail's events about it.
GROUP_WIDE_PAGES = ("patients.", "audit.", "reports.audit", "treatment.new_session",
                    "treatment.today")
REPORTS = ("sessions", "stock", "trace", "expiry", "exceptions", "activity", "audit")


def _stock_events_at(manager, batch, marker: str, witness) -> None:
    """Waste with a reason, a stocktake with a discrepancy (countersigned), at the manager's
    location."""
    stock.record_waste(manager, batch.id, stock.Waste(
        1, 0, "breakage", f"{marker} ampoule dropped", witness.email, PASSWORD))
    stocktakes.record_stocktake(
        manager, [stocktakes.Count(batch.id, batch.sealed_containers - 1, f"{marker} count")],
        f"{marker} stocktake", stocktakes.Countersignature(witness.email, PASSWORD))


def _session_at(location_id: int, prescription, prescriber, batch, marker: str):
    """A signed session with an addendum, a flag and a complication, and an open one left
    unsigned for 30 hours."""
    day = local_today() - timedelta(days=3)
    signed = make_session(prescription, prescriber, day, [(batch, 1000)],
                          location_id=location_id)
    db.session.add_all([
        SessionAddendum(session_id=signed.id, text=f"{marker} addendum", reason="late note",
                        recorded_by_id=prescriber.id),
        SessionFlag(session_id=signed.id, code="gap_over_6_weeks", detail=f"{marker} gap"),
        FollowUp(session_id=signed.id, seen_on=day, effects="clot", complication=True,
                 severity="mild", action_taken=f"{marker} clot removed",
                 recorded_by_id=prescriber.id)])
    unsigned = make_session(prescription, prescriber, day, [(batch, 500)], number=2,
                            signed=False, location_id=location_id)
    db.session.execute(update(TreatmentSession).where(TreatmentSession.id == unsigned.id)
                       .values(started_at=utcnow() - timedelta(hours=30)))
    db.session.commit()
    return signed


@pytest.fixture
def two_clinics(request, app, saved_records):
    """An inspector (with an end date) at the first location only; each location its own
    (built once for the module, see `built_once`)."""
    return built_once(request, saved_records, lambda: _two_clinics(app))


def _two_clinics(app) -> dict:
    there = make_location()
    people = {kind: user_at(kind, 1) for kind in ROLE_PROFILES}
    people["inspector"].access_expires_on = local_today() + timedelta(days=30)
    db.session.commit()
    far_manager, far_doctor = user_at("manager", there.id), user_at("doctor", there.id)
    product = make_product()
    near = receive_batch(people["manager"], product, containers=20, batch_number="NEAR1",
                         expires_in_days=20)
    far = receive_batch(far_manager, product, containers=20, batch_number="FAR9",
                        expires_in_days=20)
    _stock_events_at(people["manager"], near, "NEAR1", people["doctor"])
    _stock_events_at(far_manager, far, "FARAWAY", far_doctor)
    _patient, near_rx = ready_patient(people, product)
    far_patient, far_rx = ready_patient(people, product)
    far_patient.last_name = PATIENT_ELSEWHERE
    session = _session_at(1, near_rx, people["doctor"], near, "NEAR1")
    _session_at(there.id, far_rx, far_doctor, far, "FARAWAY")
    stock.change_state(far_manager, far.id, "recall", "FARAWAY recall")
    _said_elsewhere(app, far_doctor, far)
    return {**people, "product": product, "batch": near, "session": session,
            "stocktake": near_stocktake(), "entry": near_entry(near),
            "exception": SimpleFlag(session), **patient_sample(people, product),
            **_places(people["manager"], near)}


def _places(manager, batch) -> dict:
    """The first location, its cupboard with a reading, a transfer from it, a logger file."""
    upload = temperature_imports.upload(manager, CUPBOARD, "logger.csv",
                                        logger_csv(f"{at_text(minutes_ago(10))},19.0"))
    return {**places_at(1, manager, batch), "upload": upload}


def _said_elsewhere(app, far_doctor, far) -> None:
    """Events about no record whose words name the second location's batch: a refused waste
    at the second location, and a group-wide manager's export of its trace."""
    with pytest.raises(DomainError):
        stock.record_waste(far_doctor, far.id, stock.Waste(
            500, 0, "breakage", "too many", None, None))
    client = app.test_client()
    sign_in(client, make_user("manager"))
    assert client.get("/reports/trace.csv?batch=FAR9").status_code == 200


class SimpleFlag:
    """The first location's flagged session, as the review page's address names it."""

    def __init__(self, session):
        self.key, self.day = f"flag-{session.flags[0].id}", session.session_date


def near_stocktake() -> Stocktake:
    return db.session.scalar(select(Stocktake).where(Stocktake.location_id == 1))


def near_entry(batch):
    return stock_queries.ledger(batch.id)[0]


def _pages(app, data) -> list[tuple[str, str]]:
    """(endpoint, address) of every page and export an inspector can ask for: each GET route
    with the first location's records, and each report with its filters widened."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.enter_code"):
            continue
        args = {name: SAMPLE_ARGS[name](data) for name in rule.arguments}
        args.update(SAMPLE_QUERY.get(rule.endpoint, lambda _data: {})(data))
        pages.append((rule.endpoint, rule.build(args, append_unknown=True)[1]))
    since = (local_today() - timedelta(days=3650)).isoformat()
    for name in REPORTS:
        for suffix in ("", ".csv", ".pdf"):
            pages.append((f"reports.{name}", f"/reports/{name}{suffix}?date_from={since}"))
    pages.append(("reports.trace", "/reports/trace.csv?batch=NEAR1"))
    return pages


def _text(response) -> str:
    if response.data.startswith(UNRENDERED_PDF):
        return response.data.removeprefix(UNRENDERED_PDF).decode()
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    if response.mimetype.startswith("image/"):
        return ""
    return response.get_data(as_text=True)


def _markers_seen(app, data, user) -> tuple[list[str], dict[str, int]]:
    """Every marker of the second location found on the pages `user` is given, and the
    status of each report page and export."""
    client = app.test_client()
    sign_in(client, user)
    found, reports = [], {}
    for endpoint, url in _pages(app, data):
        response = client.get(url)
        if "date_from=" in url:
            reports[url] = response.status_code
        markers = ELSEWHERE if endpoint.startswith(GROUP_WIDE_PAGES) else (
            *ELSEWHERE, PATIENT_ELSEWHERE)
        text = _text(response)
        found += [f"{marker} in {url}" for marker in markers if marker in text]
    return found, reports


def test_an_inspector_of_one_location_sees_nothing_of_another(app, two_clinics,
                                                              unrendered_pdfs):
    found, reports = _markers_seen(app, two_clinics, two_clinics["inspector"])
    assert found == []
    assert len(reports) == 3 * len(REPORTS)
    assert {url: status for url, status in reports.items() if status != 200} == {}


# Staff see the provider's locations by name where they act on the group: the accounts (which
# are group-wide) with where each person works, and a transfer's destinations.
NAMED_TO_STAFF = ("/users", "/stock/transfers/send")


@pytest.mark.parametrize("kind", ["manager", "doctor"])
def test_staff_of_one_location_see_nothing_of_another_either(app, two_clinics, kind,
                                                             unrendered_pdfs):
    found, _reports = _markers_seen(app, two_clinics, two_clinics[kind])
    assert [seen for seen in found if not (seen.startswith("Harbour Street in ")
            and seen.removeprefix("Harbour Street in ").startswith(NAMED_TO_STAFF))] == []


def test_an_inspector_of_the_whole_provider_sees_both_locations(app, two_clinics):
    """The same pages, read by an inspector of the provider: the markers are there to find."""
    found, _reports = _markers_seen(app, two_clinics, make_user("inspector"))
    for name in REPORTS:
        for suffix in ("", ".csv", ".pdf"):
            assert any(f"/reports/{name}{suffix}?" in line for line in found), (name, suffix)


def test_the_inspector_sees_their_own_location_in_every_export(client, two_clinics):
    sign_in(client, two_clinics["inspector"])
    since = (local_today() - timedelta(days=3650)).isoformat()
    for name in ("sessions", "stock", "expiry", "exceptions"):
        text = client.get(f"/reports/{name}.csv?date_from={since}").get_data(as_text=True)
        assert "NEAR1" in text, name
        _preamble, table = csv_parts(text)
        assert len(table) > 1, name
    assert "NEAR1" in pdf_text(client, f"/reports/trace.pdf?batch=NEAR1&date_from={since}")
    audit = client.get("/audit/export.csv").get_data(as_text=True)
    assert "NEAR1" in audit and "FAR9" not in audit and "FARAWAY" not in audit


def test_a_batch_held_elsewhere_is_no_batch_to_the_report_filters(client, two_clinics):
    sign_in(client, two_clinics["inspector"])
    far = client.get("/reports/trace?batch=FAR9").get_data(as_text=True)
    none = client.get("/reports/trace?batch=NOSUCH").get_data(as_text=True)
    assert "No batch has the number FAR9." in far
    assert far.replace("FAR9", "NOSUCH").count("No batch has") == none.count("No batch has")


def test_another_location_cannot_be_chosen_in_a_report(client, two_clinics):
    sign_in(client, two_clinics["inspector"])
    other = db.session.scalar(select(Location.id).where(Location.id != 1))
    response = client.get(f"/reports/sessions.csv?location={other}")
    assert response.status_code == 400
    assert not any(marker in response.get_data(as_text=True) for marker in ELSEWHERE)
