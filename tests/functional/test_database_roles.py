"""The app's own PostgreSQL role: after `flask db grants` it reads and writes rows, only reads
and adds them on append-only tables, and cannot change the schema; the app works as it."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from compliance.append_only import APPEND_ONLY_TABLES
from compliance.clock import local_today
from compliance.database import migration_engine
from compliance.extensions import db
from compliance.services import audit_verify, backup_stores, treatment
from tests import dbutil
from tests.conftest import build_app
from tests.factories import PASSWORD
from tests.temperature_helpers import minutes_ago, read
from tests.treatment_helpers import inject, open_session

ROW_PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "DELETE"}
PRIVILEGES = text("""
SELECT c.relname, p FROM pg_class c,
  unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
WHERE c.relnamespace = to_regnamespace('public') AND c.relkind = 'r'
  AND has_table_privilege(:role, c.oid, p)""")
ACLS = text("""
SELECT relname || ' ' || coalesce(relacl::text, '') FROM pg_class
WHERE relnamespace = to_regnamespace('public') AND relkind IN ('r', 'S')
UNION ALL SELECT 'schema ' || nspacl::text FROM pg_namespace WHERE nspname = 'public'
UNION ALL SELECT 'database ' || datacl::text FROM pg_database WHERE datname = current_database()
ORDER BY 1""")


def owner_engine():
    return create_engine(dbutil.POSTGRES_URL)


def as_owner(*statements: str) -> None:
    engine = owner_engine()
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def owner_query(query, **params) -> list:
    engine = owner_engine()
    with engine.connect() as conn:
        rows = conn.execute(query, params).all()
    engine.dispose()
    return rows


def run_grants(app_url: str, owner_url: str | None = None):
    """`flask db grants` with DATABASE_URL `app_url` and MIGRATION_DATABASE_URL `owner_url`."""
    application = build_app(app_url, {"MIGRATION_DATABASE_URL": owner_url})
    return application.test_cli_runner().invoke(args=["db", "grants"])


def refusal(result) -> str:
    """The one line a refused command prints."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture(scope="module")
def role_name(template_db):
    """A login role for this run. Roles belong to the whole cluster, so the name carries the
    database's, and runs on other databases keep their own; dropped at the end."""
    if not dbutil.USING_POSTGRES:
        pytest.skip("roles and grants are PostgreSQL's")
    name = f"compliance_app_{make_url(dbutil.POSTGRES_URL).database}"
    as_owner(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') "
             f"THEN CREATE ROLE {name} LOGIN; END IF; END $$",
             f"ALTER ROLE {name} NOSUPERUSER NOCREATEROLE")
    yield name
    as_owner(f"DROP OWNED BY {name}", f"DROP ROLE {name}")


@pytest.fixture(scope="module")
def role_url(role_name):
    """DATABASE_URL for the app's role, with the grants applied once for the module."""
    url = make_url(dbutil.POSTGRES_URL).set(username=role_name).render_as_string(False)
    result = run_grants(url, dbutil.POSTGRES_URL)
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def database_uri(template_db, database_dir, role_url):
    """The `app` fixture, and every fixture built on it, connect as the app's role."""
    dbutil.fresh_database(template_db, database_dir)
    return role_url


def test_grants_give_row_access_and_only_select_and_insert_on_append_only_tables(role_name,
                                                                                role_url):
    held: dict[str, set] = {}
    for table, privilege in owner_query(PRIVILEGES, role=role_name):
        held.setdefault(table, set()).add(privilege)
    for table in APPEND_ONLY_TABLES:
        assert held.pop(table) == {"SELECT", "INSERT"}, table
    assert held.pop("alembic_version") == {"SELECT"}
    assert held and all(privileges == ROW_PRIVILEGES for privileges in held.values()), held


def test_grants_are_idempotent(role_name, role_url):
    before = owner_query(ACLS)
    first, second = run_grants(role_url, dbutil.POSTGRES_URL), run_grants(
        role_url, dbutil.POSTGRES_URL)
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert first.output == second.output
    assert f"GRANT SELECT, INSERT ON TABLE audit_events TO {role_name}" in first.output
    assert f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role_name}" in first.output
    assert owner_query(ACLS) == before


KEYS = {"audit_events": "seq"}
REFUSED = (
    "UPDATE {table} SET {key} = {key}",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
    "TRUNCATE {table} CASCADE",
    "ALTER TABLE {table} ADD COLUMN tampered integer",
    "DROP TABLE {table} CASCADE",
    "CREATE TRIGGER tampered BEFORE INSERT ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION forbid_change()",
    "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
)


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_role_may_only_read_and_add_rows_of_an_append_only_table(role_url, table):
    engine = create_engine(role_url)
    with engine.connect() as conn:
        for statement in REFUSED:
            with pytest.raises(DBAPIError, match="permission denied|must be owner"):
                conn.exec_driver_sql(statement.format(table=table, key=KEYS.get(table, "id")))
            conn.rollback()
        conn.exec_driver_sql(f"SELECT * FROM {table} LIMIT 1")
        assert conn.scalar(text(f"SELECT has_table_privilege('{table}', 'INSERT')"))
    engine.dispose()


def test_the_app_role_cannot_create_objects(role_url):
    engine = create_engine(role_url)
    with engine.connect() as conn:
        for statement in ("CREATE TABLE tampered (id integer)", "CREATE SCHEMA tampered",
                          "CREATE FUNCTION tampered() RETURNS integer LANGUAGE sql AS 'SELECT 1'"):
            with pytest.raises(DBAPIError, match="permission denied"):
                conn.exec_driver_sql(statement)
            conn.rollback()
    engine.dispose()


def test_the_app_works_as_its_role(app, client, login, clinic, role_name):
    """Every append-only table gets its rows from the services; a signed-in request writes."""
    nurse = clinic["nurse"]
    session = open_session(nurse, clinic["patient"], clinic["prescription"], local_today())
    wrong = inject(nurse, session, clinic["batch"], 1_000)
    treatment.reverse_injection(nurse, wrong.id, "Entered against the wrong batch")
    inject(nurse, session, clinic["other"], 1_200)
    treatment.sign_session(nurse, session.id, PASSWORD)
    login(nurse)
    body = client.post(f"/treatment/sessions/{session.id}/addenda", data={
        "add-text": "Mild bruising at follow-up call", "add-reason": "Patient phoned"},
        follow_redirects=True).get_data(as_text=True)
    assert "Addendum added." in body
    read(nurse, "20.0", minutes_ago(5))
    assert db.session.scalar(text("SELECT current_user")) == role_name
    counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
              for table in APPEND_ONLY_TABLES}
    assert all(counts.values()), counts
    assert audit_verify.verify().ok


def test_audit_verify_records_its_outcome_as_the_app_role(app, users):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "OK" in result.output, result.output


def backup_command(app_url: str, owner_url: str | None, *args: str):
    """`flask backup ...` with DATABASE_URL `app_url` and MIGRATION_DATABASE_URL `owner_url`
    (its own app context: the runner would reuse the test's)."""
    application = build_app(app_url, {"MIGRATION_DATABASE_URL": owner_url})
    with application.app_context():
        try:
            return application.test_cli_runner().invoke(args=["backup", *args])
        finally:
            db.session.remove()
            db.engine.dispose()


def test_backups_are_taken_checked_and_restored_as_the_owner(app, users, role_name, role_url,
                                                            tmp_path):
    """The app's role may not create the scratch database, and must never own restored
    tables: the backup commands connect as MIGRATION_DATABASE_URL's role."""
    owner = dbutil.POSTGRES_URL
    created = backup_command(role_url, owner, "create", "--dir", str(tmp_path))
    assert created.exit_code == 0, created.output
    [backup] = tmp_path.glob("*.pgdump")
    verified = backup_command(role_url, owner, "verify", str(backup))
    assert verified.exit_code == 0 and verified.output.startswith("OK"), verified.output
    engine = owner_engine()
    with backup_stores.temporary_database(engine, "fresh") as fresh_url:
        app_url = make_url(fresh_url).set(username=role_name).render_as_string(False)
        restored = backup_command(app_url, fresh_url, "restore", str(backup))
        assert restored.exit_code == 0, restored.output
        fresh = create_engine(fresh_url)
        with fresh.connect() as conn:
            owners = conn.scalars(text("SELECT DISTINCT tableowner FROM pg_tables "
                                       "WHERE schemaname = 'public'")).all()
        fresh.dispose()
    engine.dispose()
    assert owners == [make_url(owner).username]


def test_a_backup_verified_as_the_app_role_is_refused_in_one_line(app, users, role_url,
                                                                  tmp_path):
    created = backup_command(role_url, dbutil.POSTGRES_URL, "create", "--dir", str(tmp_path))
    assert created.exit_code == 0, created.output
    [backup] = tmp_path.glob("*.pgdump")
    result = backup_command(role_url, None, "verify", str(backup))
    assert "Error: Database error: permission denied to create database" in refusal(result)


def test_grants_refuse_when_both_urls_name_the_same_role(role_url):
    assert "both connect as postgres" in refusal(run_grants(dbutil.POSTGRES_URL))
    assert "both connect as postgres" in refusal(run_grants(dbutil.POSTGRES_URL,
                                                            dbutil.POSTGRES_URL))


def test_grants_refuse_a_superuser_app_role(role_name, role_url):
    as_owner(f"ALTER ROLE {role_name} SUPERUSER")
    try:
        assert f"role {role_name} is a superuser" in refusal(run_grants(role_url,
                                                                        dbutil.POSTGRES_URL))
    finally:
        as_owner(f"ALTER ROLE {role_name} NOSUPERUSER")


def test_grants_refuse_an_app_role_that_owns_a_table(role_name, role_url):
    as_owner(f"ALTER TABLE sclerosants OWNER TO {role_name}")
    try:
        line = refusal(run_grants(role_url, dbutil.POSTGRES_URL))
        assert f"role {role_name} owns sclerosants" in line and "REASSIGN OWNED BY" in line
    finally:
        as_owner("ALTER TABLE sclerosants OWNER TO postgres")
    # Ownership moved there and back takes the role's grants with it: running again mends it.
    assert run_grants(role_url, dbutil.POSTGRES_URL).exit_code == 0


def test_grants_refuse_a_role_that_does_not_exist(role_url):
    url = make_url(role_url).set(username="compliance_nobody").render_as_string(False)
    assert "role compliance_nobody (of DATABASE_URL) does not exist" in refusal(
        run_grants(url, dbutil.POSTGRES_URL))


def test_grants_refuse_urls_of_two_databases(role_url):
    url = make_url(role_url).set(database="another_clinic").render_as_string(False)
    line = refusal(run_grants(url, dbutil.POSTGRES_URL))
    assert "DATABASE_URL names database another_clinic" in line


def test_grants_have_nothing_to_do_on_sqlite(tmp_path):
    line = refusal(run_grants(f"sqlite:///{tmp_path / 'clinic.db'}"))
    assert "nothing to do on SQLite" in line


def test_alembic_connects_with_the_migration_url(tmp_path):
    """The app's database is left alone; the owner's URL is the one migrated (stamped)."""
    app_db, owner_db = tmp_path / "app.db", tmp_path / "owner.db"
    application = build_app(f"sqlite:///{app_db}", {"MIGRATION_DATABASE_URL":
                                                    f"sqlite:///{owner_db}"})
    result = application.test_cli_runner().invoke(args=["db", "stamp", "head"])
    assert result.exit_code == 0, result.output
    stamped = create_engine(f"sqlite:///{owner_db}")
    with stamped.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version"))
    stamped.dispose()
    assert not app_db.exists() or app_db.stat().st_size == 0


def test_a_relative_sqlite_migration_url_is_in_the_instance_folder(tmp_path):
    """As DATABASE_URL's is (Flask-SQLAlchemy's rule), so both name the same file."""
    application = build_app(f"sqlite:///{tmp_path / 'app.db'}",
                            {"MIGRATION_DATABASE_URL": "sqlite:///compliance.db"})
    with application.app_context():
        engine = migration_engine()
    assert engine.url.database == str(Path(application.instance_path) / "compliance.db")
