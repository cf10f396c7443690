"""Fixtures: an app on a fresh migrated database per test, clients and users."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import inspect
from sqlalchemy.orm import InstanceState

from compliance import create_app
from compliance.extensions import db
from compliance.reports import pdf
from tests import dbutil, ordering
from tests.factories import (
    PASSWORD,
    ROLE_PROFILES,
    make_product,
    make_user,
    ready_patient,
    receive_batch,
)


@pytest.fixture(scope="session")
def memory_dir(tmp_path_factory):
    """Where the tests' databases are kept: in memory where the machine has it."""
    with dbutil.memory_folder(tmp_path_factory.mktemp("databases")) as folder:
        yield folder


@pytest.fixture(scope="session")
def template_db(memory_dir):
    (memory_dir / "template").mkdir()
    return dbutil.prepare_template(memory_dir / "template")


@pytest.fixture(scope="session")
def database_dir(memory_dir):
    (memory_dir / "database").mkdir()
    return memory_dir / "database"


@pytest.fixture(scope="module")
def saved_records():
    """Records built once for a module's tests, by fixture name (see `built_once`); what was
    saved is dropped after the module."""
    saved = {}
    yield saved
    for kept in saved.values():
        dbutil.drop_saved(kept.database)


@pytest.fixture
def database_uri(request, template_db, database_dir, saved_records):
    """The same URI for every test, put back before each to the migrated state, or to the
    state saved with the records of a `built_once` fixture the test uses."""
    saved = [kept for name, kept in saved_records.items() if name in request.fixturenames]
    return dbutil.fresh_database(saved[0].database if saved else template_db, database_dir)


@dataclass
class Saved:
    database: str  # what `dbutil.fresh_database` starts a test from
    records: dict  # the records, with each model instance as its class and primary key


def built_once(request, saved_records, build) -> dict:
    """`build()`'s records for the module's tests: built in the first test that asks, and the
    database saved then; every later test starts from a copy of that database and gets the
    same records, read again in its own session. So each test starts as if it had built them
    itself, whatever the tests before it changed."""
    name = request.fixturename
    if name not in saved_records:
        records = build()
        db.session.commit()
        database = dbutil.save(request.getfixturevalue("database_uri"),
                               request.getfixturevalue("database_dir"))
        saved_records[name] = Saved(database, _identities(records))
    return _reloaded(saved_records[name].records)


def _identities(records):
    if isinstance(records, dict):
        return {key: _identities(value) for key, value in records.items()}
    state = inspect(records, raiseerr=False)
    return (_Identity(type(records), state.identity) if isinstance(state, InstanceState)
            else records)


def _reloaded(records):
    if isinstance(records, dict):
        return {key: _reloaded(value) for key, value in records.items()}
    return (db.session.get(records.model, records.key) if isinstance(records, _Identity)
            else records)


@dataclass(frozen=True)
class _Identity:
    model: type
    key: tuple


@pytest.fixture(scope="session")
def built_apps():
    """Applications by database and overrides: building one compiles every URL rule,
    the largest part of a unit test's setup, so each is built once per run."""
    return {}


@pytest.fixture
def app_overrides():
    """Config values a test module wants changed (CSRF is off unless a test turns it on)."""
    return {"WTF_CSRF_ENABLED": False}


class RequestScopedClient(FlaskClient):
    """The fixture keeps an app context open, which requests reuse; Flask-Login caches the
    signed-in user on `g`, so forget it between requests as a real server would."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def build_app(database_uri: str, overrides: dict):
    application = create_app(dbutil.config_for(database_uri, **overrides))
    application.test_client_class = RequestScopedClient
    return application


@pytest.fixture
def anchor_files(tmp_path):
    """The test's own anchor key pair and log paths (made by `flask audit keygen` if the test
    wants them): never the user's."""
    folder = tmp_path / "anchors"
    return {"AUDIT_SIGNING_KEY": str(folder / "key.pem"),
            "AUDIT_PUBLIC_KEY": str(folder / "key.pub.pem"),
            "AUDIT_ANCHOR_LOG": str(folder / "anchors.jsonl")}


@pytest.fixture
def keys(runner, anchor_files):
    """`flask audit keygen` run: the test's key pair and empty anchor log, by setting name."""
    result = runner.invoke(args=["audit", "keygen"])
    assert result.exit_code == 0, result.output
    return {name: Path(path) for name, path in anchor_files.items()}


@pytest.fixture
def app(database_uri, app_overrides, built_apps, anchor_files):
    """An application in a fresh app context; its config is put back after the test."""
    key = (database_uri, tuple(sorted(app_overrides.items())))
    if key not in built_apps:
        built_apps[key] = build_app(database_uri, app_overrides)
    application = built_apps[key]
    config = dict(application.config)
    application.config.update(anchor_files)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    application.config.clear()
    application.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_users() -> dict:
    """One user of each kind, committed together."""
    people = {kind: make_user(kind, commit=False) for kind in ROLE_PROFILES}
    db.session.commit()
    return people


@pytest.fixture
def users(app):
    return make_users()


@pytest.fixture
def clinic(users):
    """The users, a product, two batches (A1 and B2, 30 ampoules each) and a patient ready
    for treatment on a signed prescription."""
    product = make_product(max_volume_per_session_ul=10_000)
    batch = receive_batch(users["manager"], product, containers=30, batch_number="A1")
    other = receive_batch(users["manager"], product, containers=30, batch_number="B2",
                          expires_in_days=500)
    patient, prescription = ready_patient(users, product)
    return dict(users, product=product, batch=batch, other=other, patient=patient,
                prescription=prescription)


def sign_in(client, user, password: str = PASSWORD, follow: bool = False):
    return client.post("/login", data={"email": user.email, "password": password},
                       follow_redirects=follow)


@pytest.fixture
def login(client):
    """Sign `user` in on the shared client; asserts it worked."""

    def _login(user, password: str = PASSWORD):
        response = sign_in(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login


# What a PDF download answers under `unrendered_pdfs`: this, then the HTML it would render.
UNRENDERED_PDF = b"%PDF (not rendered)\n"


@pytest.fixture
def unrendered_pdfs(monkeypatch):
    """PDF downloads answer with the print HTML that WeasyPrint would have laid out, for tests
    that read only who is answered what: the same view, checks, query and template, without
    the second or so of layout each. Every report's real PDF is read in tests/reports
    (test_report_figures) and by test_scoped_inspector's group-wide inspector, and a session's
    in test_leg_map_pages."""
    monkeypatch.setattr(pdf, "render_pdf", lambda html: UNRENDERED_PDF + html.encode())


# Words in a test module that show it may reach a database other than through the fixtures:
# such a module's tests are never taken as database-free.
REACHES_A_DATABASE = re.compile(r"dbutil|DATABASE_URL|POSTGRES|create_app|create_engine|"
                                r"subprocess|environ|extensions import db|sqlite|psycopg|"
                                r"TestingConfig|config_for")


def pytest_collection_modifyitems(config, items):
    """Mark `database_free` the tests that use no database fixture, in a module that names no
    other way to a database: their outcome cannot depend on the database of the run, so CI's
    PostgreSQL pass leaves them to the SQLite one (`-m "not database_free"`). Then put the
    slowest modules first (tests/ordering.py)."""
    _mark_database_free(items)
    ordering.slowest_first(
        items, ordering.recorded_seconds(ordering.database_of(dbutil.POSTGRES_URL)))


def _mark_database_free(items) -> None:
    reaches: dict[Path, bool] = {}
    for item in items:
        path = Path(item.fspath)
        if path not in reaches:
            reaches[path] = bool(REACHES_A_DATABASE.search(path.read_text()))
        if "template_db" not in getattr(item, "fixturenames", ("template_db",)) \
                and not reaches[path]:
            item.add_marker(pytest.mark.database_free)
