"""An injection POST, the chair's most frequent write, sends a fixed number of SQL statements
(issue 17: at most 12), however many injections the session already has.

What is counted (tests/statements.py): every statement sent through a cursor, BEGIN and BEGIN
IMMEDIATE included on SQLite (compliance/database.py sends them so), and on PostgreSQL the
BEGIN psycopg sends on its own; not COMMIT, sent through the driver's connection on both.
The twelve, on SQLite: BEGIN and the signed-in user (Flask-Login, before the writing
transaction), BEGIN IMMEDIATE, the session, batch and part locked with the actor read again
(one statement), the facts of rules 2, 3 and 6 (one statement), the batch and part updated,
the ledger entry and the injection inserted, the month's stock sum, the audit chain's head and
its new events. On PostgreSQL the same, with the chain lock in place of BEGIN IMMEDIATE.
"""

from compliance.models import Injection
from compliance.services import treatment
from tests.location_helpers import assign
from tests.statements import counted_statements
from tests.treatment_helpers import days_ago, inject, injection_form, open_session

MOST = 12


def _posted(client, url: str, data: dict):
    with counted_statements() as seen:
        response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return seen


def test_an_injection_post_sends_at_most_12_statements(client, login, clinic):
    """Also after earlier injections, one of them reversed: the session's use so far is
    summed by the database, not read injection by injection."""
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    inject(clinic["nurse"], session, clinic["batch"], volume_ul=700)
    wrong = inject(clinic["nurse"], session, clinic["batch"], volume_ul=300)
    treatment.reverse_injection(clinic["nurse"], wrong.id, "Wrong volume")
    login(clinic["nurse"])
    url, data = f"/treatment/sessions/{session.id}/injections", injection_form(clinic["batch"])
    counts = []
    for _ in range(3):
        seen = _posted(client, url, data)
        assert len(seen) <= MOST, f"{len(seen)} statements:\n{seen.listing()}"
        counts.append(len(seen))
    assert counts == [counts[0]] * 3
    assert len(session.given) == 4


def test_a_nurse_of_one_location_adds_only_the_scope_check(client, login, clinic):
    """Someone who works at some locations only is checked against the session's location
    before the view runs (compliance/scope.py: their locations, then the session there)."""
    assign(clinic["nurse"], 1)
    session = open_session(clinic["nurse"], clinic["patient"], clinic["prescription"],
                           days_ago(0))
    login(clinic["nurse"])
    seen = _posted(client, f"/treatment/sessions/{session.id}/injections",
                   injection_form(clinic["batch"]))
    assert len(seen) <= MOST + 2, f"{len(seen)} statements:\n{seen.listing()}"


def test_an_injection_into_no_session_is_not_found_and_writes_nothing(client, login, clinic):
    login(clinic["nurse"])
    before = Injection.query.count()
    response = client.post("/treatment/sessions/99999/injections",
                           data=injection_form(clinic["batch"]))
    assert response.status_code == 404
    assert Injection.query.count() == before
