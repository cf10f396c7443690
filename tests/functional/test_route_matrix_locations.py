"""The route matrix at two locations (D7): every route, every role and anonymous, once with
the records at the users' own location and once with them at another, against answers
written out here by hand.

At their own location users are answered exactly as in test_route_matrix.EXPECTED. At another
location, a route whose address names a located record (a session, an injection, a batch, a
ledger entry, a stocktake, an audit trail record) answers every signed-in user 404, as it
would an id that names nothing: never 403, which would tell the record exists. Every other
route names only group-wide records (patients, prescriptions, products, accounts) or none,
and answers as at the users' own location."""

from types import SimpleNamespace

import pytest

from compliance import scope
from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Location, SessionFlag
from compliance.services import stock_queries, stocktakes, temperature_imports
from tests.conftest import built_once, sign_in
from tests.factories import ROLE_PROFILES, make_product, make_session, ready_patient, receive_batch
from tests.functional.test_route_matrix import (
    EXPECTED,
    KINDS,
    LOGIN,
    SAMPLE_ARGS,
    SAMPLE_QUERY,
    answer,
    patient_sample,
    route_methods,
)
from tests.location_helpers import make_location, user_at
from tests.temperature_helpers import CUPBOARD, at_text, logger_csv, minutes_ago, read
from tests.transfer_helpers import send

NOT_FOUND = (LOGIN, 404, 404, 404, 404)
# What each route naming a located record answers when that record is at another location,
# in KINDS' order (anonymous, doctor, nurse, manager, inspector).
AT_ANOTHER_LOCATION = {
    ("audit.record", "GET"):                  NOT_FOUND,
    ("reports.log_contact", "POST"):          NOT_FOUND,
    ("stock.adjust", "POST"):                 NOT_FOUND,
    ("stock.batch", "GET"):                   NOT_FOUND,
    ("stock.change_state", "POST"):           NOT_FOUND,
    ("stock.return_stock", "POST"):           NOT_FOUND,
    ("stock.reverse", "POST"):                NOT_FOUND,
    ("stock.stocktake_show", "GET"):          NOT_FOUND,
    ("stock.waste", "POST"):                  NOT_FOUND,
    ("treatment.add_addendum", "POST"):       NOT_FOUND,
    ("treatment.add_injection", "POST"):      NOT_FOUND,
    ("treatment.new_follow_up", "GET"):       NOT_FOUND,
    ("treatment.new_follow_up", "POST"):      NOT_FOUND,
    ("treatment.reverse_injection", "POST"):  NOT_FOUND,
    ("treatment.session_pdf", "GET"):         NOT_FOUND,
    ("treatment.show_session", "GET"):        NOT_FOUND,
    ("treatment.sign", "POST"):               NOT_FOUND,
    ("treatment.void_session", "POST"):       NOT_FOUND,
    # An exception is named by its key, not a record id: reviewing is refused (403) to those
    # who never review, whatever the key; a manager is told it is not found.
    # D7 locations, storage areas, their temperature readings and transfers.
    ("locations.area_deactivate", "POST"):    NOT_FOUND,
    ("locations.area_edit", "GET"):           NOT_FOUND,
    ("locations.area_edit", "POST"):          NOT_FOUND,
    ("locations.area_new", "GET"):            NOT_FOUND,
    ("locations.area_new", "POST"):           NOT_FOUND,
    ("locations.deactivate", "POST"):         NOT_FOUND,
    ("locations.edit", "GET"):                NOT_FOUND,
    ("locations.edit", "POST"):               NOT_FOUND,
    ("stock.transfer_cancel", "POST"):        NOT_FOUND,
    ("stock.transfer_receive", "POST"):       NOT_FOUND,
    ("stock.transfer_show", "GET"):           NOT_FOUND,
    ("temperatures.area", "GET"):             NOT_FOUND,
    ("temperatures.correct", "GET"):          NOT_FOUND,
    ("temperatures.correct", "POST"):         NOT_FOUND,
    ("temperatures.quarantine", "GET"):       NOT_FOUND,
    ("temperatures.quarantine", "POST"):      NOT_FOUND,
    ("reports.review_exception", "GET"):      (LOGIN, 403, 403, 404, 403),
    ("reports.review_exception", "POST"):     (LOGIN, 403, 403, 404, 403),
}
# Adding or deactivating a location is for a group-wide manager; these users all work at
# one location, so their manager is refused what test_route_matrix's group-wide one may do.
NOT_GROUP_WIDE = {
    ("locations.new", "GET"):                 (LOGIN, 403, 403, 403, 403),
    ("locations.new", "POST"):                (LOGIN, 403, 403, 403, 403),
    ("locations.deactivate", "POST"):         (LOGIN, 403, 403, 403, 403),
}
# The audit trail's record page names a located record here (a session), not an account.
LOCATED_ARGS = {**SAMPLE_ARGS, "table_name": lambda data: "treatment_sessions",
                "record_id": lambda data: str(data["session"].id),
                "location_id": lambda data: data["location"].id,
                "storage_area_id": lambda data: data["area"].id,
                "area_id": lambda data: data["area"].id,
                "reading_id": lambda data: data["reading"].id,
                "transfer_id": lambda data: data["transfer"].id}


def records_at(location_id: int, manager, people: dict, product, prescription) -> dict:
    """A batch, its receipt, a stocktake of it, and an open session drawing from it with a
    flag (an exception to review), all at one location."""
    batch = receive_batch(manager, product, batch_number=f"L{location_id}")
    taken = stocktakes.record_stocktake(manager, [stocktakes.Count(batch.id, 10)], None,
                                        stocktakes.Countersignature(None, None))
    session = make_session(prescription, people["nurse"], local_today(), [(batch, 1000)],
                           signed=False, location_id=location_id)
    flag = SessionFlag(session_id=session.id, code="gap_over_6_weeks",
                       detail="50 days since the last session")
    db.session.add(flag)
    db.session.commit()
    return {"batch": batch, "entry": stock_queries.ledger(batch.id)[0], "stocktake": taken,
            "session": session,
            "exception": SimpleNamespace(key=f"flag-{flag.id}", day=local_today()),
            **places_at(location_id, manager, batch)}


def places_at(location_id: int, manager, batch) -> dict:
    """The location, its storage area with a reading, and a transfer from it to a third."""
    location = db.session.get(Location, location_id)
    area = location.storage_areas[0]
    third = make_location(f"Transit {location_id}", f"1-99999999{location_id}")
    return {"location": location, "area": area,
            "reading": read(manager, "19.5", minutes_ago(10), area.id),
            "transfer": send(manager, batch, third, 1)}


@pytest.fixture
def located(request, app, saved_records):
    """Users of every kind working at the first location only; the records a URL can name,
    at the first location ("own") and at a second ("other"); the group-wide ones once (built
    once for the module, see `built_once`)."""
    return built_once(request, saved_records, _located)


def _located() -> dict:
    there = make_location()
    people = {kind: user_at(kind, 1) for kind in ROLE_PROFILES}
    product = make_product()
    _patient, prescription = ready_patient(people, product)
    group_wide = {**people, "product": product, **patient_sample(people, product),
                  "upload": temperature_imports.upload(
                      people["manager"], CUPBOARD, "logger.csv",
                      logger_csv(f"{at_text(minutes_ago(10))},19.0"))}
    return {"own": {**group_wide, **records_at(1, people["manager"], people, product,
                                               prescription)},
            "other": {**group_wide, **records_at(there.id, user_at("manager", there.id),
                                                 people, product, prescription)}}


def names_a_located_record(rule) -> bool:
    return bool(set(rule.arguments) & (set(scope.URL_RECORDS) | {"table_name"}))


def test_every_route_naming_a_located_record_has_its_answer_at_another_location(app):
    routes = {(rule.endpoint, method) for rule, method in route_methods(app)
              if names_a_located_record(rule)}
    assert sorted(routes - AT_ANOTHER_LOCATION.keys()) == [], "add them to AT_ANOTHER_LOCATION"
    keyed = {key for key in AT_ANOTHER_LOCATION if key[0] == "reports.review_exception"}
    assert sorted(AT_ANOTHER_LOCATION.keys() - routes - keyed) == [], "these name no record"


def url_for(rule, data) -> str:
    args = {name: LOCATED_ARGS[name](data) for name in rule.arguments}
    if rule.endpoint in SAMPLE_QUERY:
        args.update(SAMPLE_QUERY[rule.endpoint](data))
    return rule.build(args, append_unknown=True)[1]


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_route_answers_each_role_at_each_location_as_written(app, located, kind, where,
                                                                  unrendered_pdfs):
    data = located[where]
    user = None if kind == "anonymous" else data[kind]
    column = KINDS.index(kind)
    wrong = []
    for rule, method in route_methods(app):
        key = (rule.endpoint, method)
        if key not in EXPECTED:
            continue  # reported by test_route_matrix
        table = AT_ANOTHER_LOCATION if where == "other" and key in AT_ANOTHER_LOCATION \
            else NOT_GROUP_WIDE if key in NOT_GROUP_WIDE else EXPECTED
        client = app.test_client()
        if user is not None:
            sign_in(client, user)
        got = answer(client.open(url_for(rule, data), method=method))
        if got != table[key][column]:
            wrong.append(f"{kind} {method} {rule.endpoint} ({where} location): expected "
                         f"{table[key][column]}, answered {got}")
    assert wrong == []
