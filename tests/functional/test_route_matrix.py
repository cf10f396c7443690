"""Every route, every role and anonymous: the status the capability table implies."""

import pytest
from sqlalchemy import select

from compliance.clock import local_today
from compliance.extensions import db
from compliance.models import Contraindication
from compliance.permissions import CAPABILITIES, can
from compliance.services import stock_queries, stocktakes
from tests.conftest import sign_in
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

KINDS = ("anonymous", "doctor", "nurse", "manager", "inspector")
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
}
# Query strings some pages need to be more than a 404.
SAMPLE_QUERY = {
    "treatment.new_session": lambda data: {"patient_id": data["patient"].id},
}


@pytest.fixture
def sample(users):
    """One record of every kind a URL can name."""
    manager = users["manager"]
    product = make_product()
    batch = receive_batch(manager, product)
    taken = stocktakes.record_stocktake(manager, [stocktakes.Count(batch.id, 10)], None,
                                        stocktakes.Countersignature(None, None))
    _patient, prescription = ready_patient(users, product)
    session = make_session(prescription, users["nurse"], local_today(), [(batch, 1_000)],
                           signed=False)
    return {**users, "product": product, "batch": batch,
            "entry": stock_queries.ledger(batch.id)[0], "stocktake": taken,
            "session": session, **patient_sample(users, product)}


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


def test_every_route_declares_its_capability(app):
    for rule, view in app_routes(app):
        assert hasattr(view, "required_capability"), (
            f"{rule.rule} ({rule.endpoint}) has neither @requires(...) nor @public")
        capability = view.required_capability
        assert capability is None or capability in CAPABILITIES


def url_for_rule(rule, users) -> str:
    args = {}
    for name in rule.arguments:
        assert name in SAMPLE_ARGS, f"add a sample value for <{name}> of {rule.rule}"
        args[name] = SAMPLE_ARGS[name](users)
    if rule.endpoint in SAMPLE_QUERY:
        args.update(SAMPLE_QUERY[rule.endpoint](users))
    return rule.build(args, append_unknown=True)[1]


def expected_outcome(capability, user) -> str:
    if capability is None:
        return "open"
    if user is None:
        return "login"
    return "allowed" if can(user, capability) else "forbidden"


def check(response, outcome: str, method: str, where: str) -> None:
    status = response.status_code
    location = response.headers.get("Location", "")
    if outcome == "login":
        assert status == 302 and location.startswith("/login?next="), where
    elif outcome == "forbidden":
        assert status == 403, where
    elif method == "GET":
        assert status in (200, 302) and "next=" not in location, where
        assert outcome == "open" or status == 200, where
    else:
        assert status in (200, 302) and "next=" not in location, where


@pytest.mark.parametrize("kind", KINDS)
def test_each_route_answers_each_role_as_the_table_says(app, sample, kind):
    users = sample
    user = None if kind == "anonymous" else users[kind]
    for rule, view in app_routes(app):
        outcome = expected_outcome(view.required_capability, user)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            client = app.test_client()
            if user is not None:
                sign_in(client, user)
            url = url_for_rule(rule, users)
            response = client.open(url, method=method)
            check(response, outcome, method, f"{kind} {method} {url}")


# An inspector's own account is theirs to use; everything else is read-only to them.
INSPECTOR_MAY_POST = {"auth.login", "auth.logout", "auth.change_password"}


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
