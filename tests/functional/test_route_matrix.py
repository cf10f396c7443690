"""Every route, every role and anonymous, against answers written out here by hand: a wrong
capability entry, or a route without a row, fails."""

import pytest
from sqlalchemy import select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Contraindication
from compliance.models.location import FIRST_LOCATION_ID
from compliance.permissions import CAPABILITIES
from compliance.seeds import FIRST_STORAGE_AREA
from compliance.services import stock_queries, stocktakes, temperature_imports
from compliance.services.refusals import record_refusal
from compliance.services.reports import exceptions
from compliance.services.reports.common import Filters
from tests.conftest import built_once, make_users, sign_in
from tests.factories import (
    make_consent,
    make_consultation,
    make_patient,
    make_prescription,
    make_product,
    make_screening,
    make_session,
    ready_patient,
    receive_batch,
)
from tests.temperature_helpers import CUPBOARD, at_text, logger_csv, minutes_ago, read

KINDS = ("anonymous", "doctor", "nurse", "manager", "inspector")
LOGIN = "login"  # redirected to the sign-in page, with `next`
# What each route answers each kind, in KINDS' order (the nurse is a prescriber who is not a
# doctor). Not derived from the capability table: change a row only when who may do what is
# meant to change. Bodies are empty, so a form an allowed user posts is refused by its own
# validation (200) or redirects back (302); nothing here passes a form's validation. Acts on
# another's record: test_ownership_matrix.py.
EXPECTED = {
    ("audit.export", "GET"):                         (LOGIN, 403, 403, 200, 200),
    ("audit.index", "GET"):                          (LOGIN, 403, 403, 200, 200),
    ("audit.record", "GET"):                         (LOGIN, 403, 403, 200, 200),
    ("audit.verification", "GET"):                   (LOGIN, 403, 403, 200, 200),
    ("audit.verify", "POST"):                        (LOGIN, 403, 403, 302, 302),
    ("auth.change_password", "GET"):                 (LOGIN, 200, 200, 200, 200),
    ("auth.change_password", "POST"):                (LOGIN, 200, 200, 200, 200),
    # Without a password just given there is no code to ask: back to the sign-in page.
    ("auth.enter_code", "GET"):                      (302, 302, 302, 302, 302),
    ("auth.enter_code", "POST"):                     (302, 302, 302, 302, 302),
    ("auth.login", "GET"):                           (200, 302, 302, 302, 302),
    ("auth.login", "POST"):                          (200, 302, 302, 302, 302),
    ("auth.keep_alive", "POST"):                     (LOGIN, 204, 204, 204, 204),
    ("auth.logout", "POST"):                         (LOGIN, 302, 302, 302, 302),
    ("auth.second_factor_setup", "GET"):             (LOGIN, 200, 200, 200, 200),
    ("auth.second_factor_setup", "POST"):            (LOGIN, 200, 200, 200, 200),
    ("health.healthz", "GET"):                       (200, 200, 200, 200, 200),
    # D7: managers see locations; the sample manager is group-wide, so adds, changes and
    # deactivates (an empty form is shown again); the header's choice of location is
    # everyone's.
    ("locations.area_deactivate", "POST"):           (LOGIN, 403, 403, 200, 403),
    ("locations.area_edit", "GET"):                  (LOGIN, 403, 403, 200, 403),
    ("locations.area_edit", "POST"):                 (LOGIN, 403, 403, 200, 403),
    ("locations.area_new", "GET"):                   (LOGIN, 403, 403, 200, 403),
    ("locations.area_new", "POST"):                  (LOGIN, 403, 403, 200, 403),
    ("locations.choose", "POST"):                    (LOGIN, 302, 302, 302, 302),
    ("locations.deactivate", "POST"):                (LOGIN, 403, 403, 200, 403),
    ("locations.edit", "GET"):                       (LOGIN, 403, 403, 200, 403),
    ("locations.edit", "POST"):                      (LOGIN, 403, 403, 200, 403),
    ("locations.index", "GET"):                      (LOGIN, 403, 403, 200, 403),
    ("locations.new", "GET"):                        (LOGIN, 403, 403, 200, 403),
    ("locations.new", "POST"):                       (LOGIN, 403, 403, 200, 403),
    ("main.favicon", "GET"):                         (200, 200, 200, 200, 200),
    ("main.home", "GET"):                            (LOGIN, 200, 200, 200, 200),
    ("notices.preview", "GET"):                      (LOGIN, 403, 403, 200, 403),
    ("patients.consent_list", "GET"):                (LOGIN, 200, 200, 200, 200),
    ("patients.consent_new", "GET"):                 (LOGIN, 200, 200, 403, 403),
    ("patients.consent_new", "POST"):                (LOGIN, 200, 200, 403, 403),
    ("patients.consent_withdraw", "POST"):           (LOGIN, 302, 302, 403, 403),
    ("patients.consultation_correct", "GET"):        (LOGIN, 200, 200, 403, 403),
    ("patients.consultation_correct", "POST"):       (LOGIN, 200, 200, 403, 403),
    ("patients.consultation_new", "GET"):            (LOGIN, 200, 200, 403, 403),
    ("patients.consultation_new", "POST"):           (LOGIN, 200, 200, 403, 403),
    ("patients.consultation_show", "GET"):           (LOGIN, 200, 200, 200, 200),
    ("patients.contraindication_active", "POST"):    (LOGIN, 403, 403, 302, 403),
    ("patients.contraindications", "GET"):           (LOGIN, 403, 403, 200, 403),
    ("patients.contraindications", "POST"):          (LOGIN, 403, 403, 200, 403),
    ("patients.edit", "GET"):                        (LOGIN, 200, 200, 200, 403),
    ("patients.edit", "POST"):                       (LOGIN, 200, 200, 200, 403),
    ("patients.index", "GET"):                       (LOGIN, 200, 200, 200, 200),
    ("patients.new", "GET"):                         (LOGIN, 200, 200, 200, 403),
    ("patients.new", "POST"):                        (LOGIN, 200, 200, 200, 403),
    ("patients.prescription_cancel", "POST"):        (LOGIN, 302, 403, 403, 403),
    ("patients.prescription_edit", "GET"):           (LOGIN, 200, 403, 403, 403),
    ("patients.prescription_edit", "POST"):          (LOGIN, 200, 403, 403, 403),
    ("patients.prescription_new", "GET"):            (LOGIN, 200, 403, 403, 403),
    ("patients.prescription_new", "POST"):           (LOGIN, 200, 403, 403, 403),
    ("patients.prescription_replace", "POST"):       (LOGIN, 302, 403, 403, 403),
    ("patients.prescription_show", "GET"):           (LOGIN, 200, 200, 200, 200),
    ("patients.prescription_sign", "POST"):          (LOGIN, 302, 403, 403, 403),
    ("patients.screening_new", "GET"):               (LOGIN, 200, 200, 403, 403),
    ("patients.screening_new", "POST"):              (LOGIN, 200, 200, 403, 403),
    ("patients.screening_show", "GET"):              (LOGIN, 200, 200, 200, 200),
    ("patients.show", "GET"):                        (LOGIN, 200, 200, 200, 200),
    ("reports.index", "GET"):                        (LOGIN, 403, 403, 200, 200),
    ("reports.log_contact", "POST"):                 (LOGIN, 403, 403, 302, 403),
    # Managers act on exceptions; an inspector reads the reviews and never reviews.
    ("reports.review_exception", "GET"):             (LOGIN, 403, 403, 200, 403),
    ("reports.review_exception", "POST"):            (LOGIN, 403, 403, 200, 403),
    ("stock.adjust", "POST"):                        (LOGIN, 403, 403, 200, 403),
    ("stock.batch", "GET"):                          (LOGIN, 200, 200, 200, 200),
    ("stock.change_state", "POST"):                  (LOGIN, 403, 403, 200, 403),
    ("stock.index", "GET"):                          (LOGIN, 200, 200, 200, 200),
    ("stock.product_edit", "GET"):                   (LOGIN, 403, 403, 200, 403),
    ("stock.product_edit", "POST"):                  (LOGIN, 403, 403, 200, 403),
    ("stock.product_list", "GET"):                   (LOGIN, 200, 200, 200, 200),
    ("stock.product_new", "GET"):                    (LOGIN, 403, 403, 200, 403),
    ("stock.product_new", "POST"):                   (LOGIN, 403, 403, 200, 403),
    ("stock.receive", "GET"):                        (LOGIN, 403, 403, 200, 403),
    ("stock.receive", "POST"):                       (LOGIN, 403, 403, 200, 403),
    ("stock.return_stock", "POST"):                  (LOGIN, 403, 403, 200, 403),
    ("stock.reverse", "POST"):                       (LOGIN, 403, 403, 302, 403),
    ("stock.stocktake", "GET"):                      (LOGIN, 403, 403, 200, 403),
    ("stock.stocktake", "POST"):                     (LOGIN, 403, 403, 200, 403),
    ("stock.stocktake_list", "GET"):                 (LOGIN, 200, 200, 200, 200),
    ("stock.stocktake_show", "GET"):                 (LOGIN, 200, 200, 200, 200),
    ("stock.transfer_cancel", "POST"):               (LOGIN, 403, 403, 200, 403),
    ("stock.transfer_list", "GET"):                  (LOGIN, 200, 200, 200, 200),
    # A manager or prescriber at the receiving location confirms what arrived (D7).
    ("stock.transfer_receive", "POST"):              (LOGIN, 200, 200, 200, 403),
    ("stock.transfer_send", "GET"):                  (LOGIN, 403, 403, 200, 403),
    ("stock.transfer_send", "POST"):                 (LOGIN, 403, 403, 200, 403),
    ("stock.transfer_show", "GET"):                  (LOGIN, 200, 200, 200, 200),
    ("stock.waste", "POST"):                         (LOGIN, 200, 200, 200, 403),
    # Storage temperatures (D7): all read them; staff take readings; managers import a
    # logger's file and quarantine what an area holds.
    ("temperatures.area", "GET"):                    (LOGIN, 200, 200, 200, 200),
    ("temperatures.confirm", "POST"):                (LOGIN, 403, 403, 200, 403),
    ("temperatures.correct", "GET"):                 (LOGIN, 200, 200, 200, 403),
    ("temperatures.correct", "POST"):                (LOGIN, 200, 200, 200, 403),
    ("temperatures.index", "GET"):                   (LOGIN, 200, 200, 200, 200),
    ("temperatures.preview", "GET"):                 (LOGIN, 403, 403, 200, 403),
    ("temperatures.quarantine", "GET"):              (LOGIN, 403, 403, 200, 403),
    ("temperatures.quarantine", "POST"):             (LOGIN, 403, 403, 200, 403),
    ("temperatures.record", "GET"):                  (LOGIN, 200, 200, 200, 403),
    ("temperatures.record", "POST"):                 (LOGIN, 200, 200, 200, 403),
    ("temperatures.upload", "GET"):                  (LOGIN, 403, 403, 200, 403),
    ("temperatures.upload", "POST"):                 (LOGIN, 403, 403, 200, 403),
    ("treatment.add_addendum", "POST"):              (LOGIN, 200, 200, 403, 403),
    ("treatment.add_injection", "POST"):             (LOGIN, 200, 200, 403, 403),
    ("treatment.new_follow_up", "GET"):              (LOGIN, 200, 200, 403, 403),
    ("treatment.new_follow_up", "POST"):             (LOGIN, 200, 200, 403, 403),
    ("treatment.new_session", "GET"):                (LOGIN, 200, 200, 403, 403),
    ("treatment.new_session", "POST"):               (LOGIN, 200, 200, 403, 403),
    ("treatment.reverse_injection", "POST"):         (LOGIN, 302, 302, 403, 403),
    ("treatment.show_session", "GET"):               (LOGIN, 200, 200, 200, 200),
    ("treatment.session_pdf", "GET"):                (LOGIN, 200, 200, 200, 200),
    ("treatment.sign", "POST"):                      (LOGIN, 200, 200, 403, 403),
    ("treatment.today", "GET"):                      (LOGIN, 200, 200, 403, 403),
    ("treatment.void_session", "POST"):              (LOGIN, 200, 200, 403, 403),
    ("users.index", "GET"):                          (LOGIN, 403, 403, 200, 403),
    ("users.new", "GET"):                            (LOGIN, 403, 403, 200, 403),
    ("users.new", "POST"):                           (LOGIN, 403, 403, 200, 403),
    ("users.reset_password", "POST"):                (LOGIN, 403, 403, 200, 403),
    ("users.reset_second_factor", "POST"):           (LOGIN, 403, 403, 302, 403),
    ("users.set_active", "POST"):                    (LOGIN, 403, 403, 302, 403),
    ("users.show", "GET"):                           (LOGIN, 403, 403, 200, 403),
    ("users.show", "POST"):                          (LOGIN, 403, 403, 200, 403),
}
# Every report, its CSV and its PDF: managers and inspectors read them.
REPORTS = ("activity", "audit", "exceptions", "expiry", "sessions", "stock", "trace")
EXPECTED.update({(f"reports.{name}{suffix}", "GET"): (LOGIN, 403, 403, 200, 200)
                 for name in REPORTS for suffix in ("", "_csv", "_pdf")})
# Values for URL parameters; every new parameter name needs one here.
SAMPLE_ARGS = {
    "user_id": lambda data: data["inspector"].id,
    "table_name": lambda data: "users",
    "record_id": lambda data: str(data["nurse"].id),
    "batch_id": lambda data: data["batch"].id,
    "entry_id": lambda data: data["entry"].id,
    "product_id": lambda data: data["product"].id,
    "stocktake_id": lambda data: data["stocktake"].id,
    "session_id": lambda data: data["session"].id,
    "injection_id": lambda data: data["session"].injections[0].id,
    "patient_id": lambda data: data["patient"].id,
    "screening_id": lambda data: data["screening"].id,
    "consent_id": lambda data: data["consent"].id,
    "consultation_id": lambda data: data["consultation"].id,
    "prescription_id": lambda data: data["prescription"].id,
    "contraindication_id": lambda data: data["contraindication"].id,
    "exception_key": lambda data: data["exception"].key,
    "location_id": lambda data: FIRST_LOCATION_ID,
    "storage_area_id": lambda data: FIRST_STORAGE_AREA["id"],
    "area_id": lambda data: data["reading"].storage_area_id,
    "reading_id": lambda data: data["reading"].id,
    "token": lambda data: data["upload"].token,
    "transfer_id": lambda data: data["transfer"].id,
}
# Query strings some pages need to be more than a 404.
SAMPLE_QUERY = {
    "treatment.new_session": lambda data: {"patient_id": data["patient"].id},
    "reports.review_exception": lambda data: {"on": data["exception"].day.isoformat()},
}


@pytest.fixture
def sample(request, app, saved_records):
    """One record of every kind a URL can name (built once for the module, see
    `built_once`)."""
    return built_once(request, saved_records, _sample)


def _sample() -> dict:
    users = make_users()
    manager = users["manager"]
    product = make_product()
    batch = receive_batch(manager, product)
    taken = stocktakes.record_stocktake(manager, [stocktakes.Count(batch.id, 10)], None,
                                        stocktakes.Countersignature(None, None))
    _patient, prescription = ready_patient(users, product)
    session = make_session(prescription, users["nurse"], local_today(), [(batch, 1_000)],
                           signed=False)
    # A refused attempt: a compliance exception for the review page.
    record_refusal(users["nurse"], "GET /users", "manage_users")
    return {**users, "product": product, "batch": batch, "transfer": _transfer(manager, batch),
            "entry": stock_queries.ledger(batch.id)[0], "stocktake": taken,
            "session": session, "exception": exceptions.all_rows(Filters())[0],
            **patient_sample(users, product), **temperature_sample(users)}


def temperature_sample(users) -> dict:
    """A reading of the first location's cupboard, and the manager's logger file waiting for
    its preview to be confirmed."""
    taken = minutes_ago(10)
    upload = temperature_imports.upload(users["manager"], CUPBOARD, "logger.csv",
                                        logger_csv(f"{at_text(taken)},19.0"))
    return {"reading": read(users["nurse"], "19.5", taken), "upload": upload}


def _transfer(manager, batch):
    """A transfer in transit from the main clinic (the first location by name, so the
    group-wide manager's current one) to a second location."""
    from tests.transfer_helpers import second_location, send

    return send(manager, batch, second_location("North Road"), 1)


def patient_sample(users, product) -> dict:
    """A patient's records; the prescription is a draft, so its edit page answers 200."""
    doctor = users["doctor"]
    patient = make_patient()
    consultation = make_consultation(patient, doctor)
    return {"patient": patient, "screening": make_screening(patient, doctor),
            "consent": make_consent(patient, doctor), "consultation": consultation,
            "prescription": make_prescription(patient, product, doctor, consultation,
                                              signed=False),
            "contraindication": db.session.scalars(select(Contraindication)).first()}


def app_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def route_methods(app):
    for rule, _view in sorted(app_routes(app), key=lambda pair: pair[0].endpoint):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_its_capability(app):
    for rule, view in app_routes(app):
        assert hasattr(view, "required_capability"), (
            f"{rule.rule} ({rule.endpoint}) has neither @requires(...) nor @public")
        capability = view.required_capability
        assert capability is None or capability in CAPABILITIES


def test_every_route_has_a_row_and_every_row_a_route(app):
    routes = {(rule.endpoint, method) for rule, method in route_methods(app)}
    assert sorted(routes - EXPECTED.keys()) == [], "add these routes to EXPECTED"
    assert sorted(EXPECTED.keys() - routes) == [], "these rows name no route"


def url_for_rule(rule, users) -> str:
    args = {}
    for name in rule.arguments:
        assert name in SAMPLE_ARGS, f"add a sample value for <{name}> of {rule.rule}"
        args[name] = SAMPLE_ARGS[name](users)
    if rule.endpoint in SAMPLE_QUERY:
        args.update(SAMPLE_QUERY[rule.endpoint](users))
    return rule.build(args, append_unknown=True)[1]


def answer(response):
    """The status, or LOGIN for a redirect to the sign-in page."""
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/login?next="):
        return LOGIN
    return response.status_code


# PDFs are answered without WeasyPrint's layout (`unrendered_pdfs`): who gets what is decided
# before it.
@pytest.mark.parametrize("kind", KINDS)
def test_each_route_answers_each_role_as_written(app, sample, kind, unrendered_pdfs):
    user = None if kind == "anonymous" else sample[kind]
    column = KINDS.index(kind)
    wrong = []
    for rule, method in route_methods(app):
        if (rule.endpoint, method) not in EXPECTED:
            continue  # reported by test_every_route_has_a_row_and_every_row_a_route
        client = app.test_client()
        if user is not None:
            sign_in(client, user)
        got = answer(client.open(url_for_rule(rule, sample), method=method))
        expected = EXPECTED[rule.endpoint, method][column]
        if got != expected:
            wrong.append(f"{kind} {method} {rule.endpoint}: expected {expected}, answered {got}")
    assert wrong == []


# An inspector's own account is theirs to use; everything else is read-only to them, except
# running the audit trail's verification, which records only that it was run, and "Stay
# signed in", which changes nothing but the idle clock, and choosing the location they work
# at now, which changes nothing but their own session.
INSPECTOR_MAY_POST = {"auth.login", "auth.logout", "auth.change_password", "audit.verify",
                      "auth.enter_code", "auth.second_factor_setup", "auth.keep_alive",
                      "locations.choose"}


def test_an_inspector_can_change_nothing(app, sample):
    from tests.treatment_helpers import treatment_state

    client = app.test_client()
    sign_in(client, sample["inspector"])
    before = treatment_state()
    for rule, _view in app_routes(app):
        if "POST" not in rule.methods or rule.endpoint in INSPECTOR_MAY_POST:
            continue
        response = client.post(url_for_rule(rule, sample), data={"reason": "try"})
        assert response.status_code == 403, rule.rule
    assert treatment_state() == before
