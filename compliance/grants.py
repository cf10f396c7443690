"""Least privilege on PostgreSQL: the app's role reads and writes rows and nothing more, and
on append-only tables it may only read and add them. Applied by `flask db grants`, run as the
role that owns the tables (MIGRATION_DATABASE_URL) after every `flask db upgrade`.

No default privileges are set: a table a later migration creates is refused to the app until
the command runs again (it re-applies everything), which fails closed rather than open.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.exc import DBAPIError

from compliance.append_only import APPEND_ONLY_TABLES

ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_PRIVILEGES = "SELECT, INSERT"
# The app may read which revision it runs on, never change it.
READ_ONLY_TABLES = ("alembic_version",)
BACKENDS = {"sqlite": "SQLite"}


class Refused(Exception):
    """The grants cannot be applied, or would bind nothing: the message says why, in one line."""


@dataclass(frozen=True)
class Place:
    """Who runs the grants, for whom, and where."""

    role: str
    owner: str
    database: str
    schema: str
    tables: tuple[str, ...]


ROLE_FACTS = text("""
SELECT current_user AS owner, current_database() AS database, current_schema() AS schema,
  EXISTS (SELECT FROM pg_roles s WHERE s.rolsuper AND pg_has_role(r.oid, s.oid, 'MEMBER'))
    AS superuser,
  r.rolcreaterole AS createrole,
  pg_has_role(r.oid, d.datdba, 'MEMBER') AS owns_database,
  pg_has_role(r.oid, n.nspowner, 'MEMBER') AS owns_schema,
  ARRAY(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = n.oid
        AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND pg_has_role(r.oid, c.relowner, 'MEMBER') ORDER BY 1) AS owned,
  ARRAY(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = n.oid
        AND c.relkind IN ('r', 'p') ORDER BY 1) AS tables
FROM pg_roles r, pg_database d, pg_namespace n
WHERE r.rolname = :role AND d.datname = current_database() AND n.nspname = current_schema()
""")

# What the app's role must not hold once the grants are applied, however it came by it
# (PUBLIC, or a role it belongs to): the grants then bind it.
LEFTOVERS = text("""
SELECT c.relname || ': ' || p FROM pg_class c,
  unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
WHERE c.relnamespace = to_regnamespace(current_schema()) AND c.relkind IN ('r', 'p')
  AND (p NOT IN ('UPDATE', 'DELETE') OR c.relname = ANY(:kept))
  AND has_table_privilege(:role, c.oid, p)
UNION ALL SELECT 'schema ' || current_schema() || ': CREATE'
  WHERE has_schema_privilege(:role, current_schema(), 'CREATE')
UNION ALL SELECT 'database ' || current_database() || ': CREATE'
  WHERE has_database_privilege(:role, current_database(), 'CREATE')
ORDER BY 1
""")


def app_role(app_url: str) -> str:
    """The role named in DATABASE_URL, which the grants are for."""
    url = make_url(app_url)
    backend = url.get_backend_name()
    if backend != "postgresql":
        raise Refused(f"nothing to do on {BACKENDS.get(backend, backend)}: it has no roles "
                      "or grants (they are for PostgreSQL)")
    if not url.username:
        raise Refused("DATABASE_URL names no user: put the app's role in it "
                      "(postgresql+psycopg://ROLE@host/database)")
    return url.username


def _refusal(role: str, facts) -> str | None:
    """Why grants to `role` would mean nothing, if they would."""
    reasons = (
        (facts.owner == role, f"DATABASE_URL and MIGRATION_DATABASE_URL both connect as {role}: "
                              "the app needs a role of its own, and migrations the owner's"),
        (facts.superuser, f"role {role} is a superuser (or a member of one): no grant binds it"),
        (facts.createrole, f"role {role} has CREATEROLE, with which it can join the owner's "
                           f"role: ALTER ROLE {role} NOCREATEROLE"),
        (facts.owns_database, f"role {role} owns database {facts.database} (or belongs to its "
                              f"owner): ALTER DATABASE {facts.database} OWNER TO {facts.owner}"),
        (facts.owns_schema, f"role {role} owns schema {facts.schema} (or belongs to its owner): "
                            f"ALTER SCHEMA {facts.schema} OWNER TO {facts.owner}"),
        (bool(facts.owned), f"role {role} owns {', '.join(facts.owned)} (or belongs to their "
                            f"owner): as a superuser, REASSIGN OWNED BY {role} TO {facts.owner}"),
    )
    return next((message for failed, message in reasons if failed), None)


def _place(conn: Connection, role: str, app_database: str) -> Place:
    owner, schema, database = conn.execute(
        text("SELECT current_user, current_schema(), current_database()")).one()
    if database != app_database:
        raise Refused(f"DATABASE_URL names database {app_database}, MIGRATION_DATABASE_URL "
                      f"{database}: the grants are for the app's own database")
    if schema is None:
        raise Refused(f"role {owner} (of MIGRATION_DATABASE_URL) may use no schema here: "
                      "run the grants as the role that owns the database and its tables")
    facts = conn.execute(ROLE_FACTS, {"role": role}).one_or_none()
    if facts is None:
        raise Refused(f"role {role} (of DATABASE_URL) does not exist: create it first "
                      f"(CREATE ROLE {role} LOGIN PASSWORD '...')")
    refusal = _refusal(role, facts)
    if refusal:
        raise Refused(refusal)
    missing = [table for table in APPEND_ONLY_TABLES if table not in facts.tables]
    if missing:
        raise Refused(f"table {missing[0]} is missing: run `flask db upgrade` first")
    return Place(role, facts.owner, facts.database, facts.schema, tuple(facts.tables))


def _table_privileges(table: str) -> str:
    if table in APPEND_ONLY_TABLES:
        return APPEND_ONLY_PRIVILEGES
    return "SELECT" if table in READ_ONLY_TABLES else ROW_PRIVILEGES


def statements(place: Place, quote) -> list[str]:
    """Every statement, in order: everything is revoked and granted again each time, so the
    result does not depend on what was there before."""
    role, database, schema = quote(place.role), quote(place.database), quote(place.schema)
    done = [f"REVOKE CREATE ON DATABASE {database} FROM {role}",
            f"GRANT CONNECT ON DATABASE {database} TO {role}",
            # PUBLIC too: before PostgreSQL 15 every role may create objects in public.
            f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC, {role}",
            f"GRANT USAGE ON SCHEMA {schema} TO {role}"]
    for table in place.tables:
        done += [f"REVOKE ALL ON TABLE {quote(table)} FROM {role}",
                 f"GRANT {_table_privileges(table)} ON TABLE {quote(table)} TO {role}"]
    return done + [f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
                   f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"]


def _apply(conn: Connection, role: str, app_database: str) -> tuple[Place, list[str]]:
    place = _place(conn, role, app_database)
    done = statements(place, conn.dialect.identifier_preparer.quote)
    for statement in done:
        conn.exec_driver_sql(statement)
    kept = [*APPEND_ONLY_TABLES, *READ_ONLY_TABLES]
    leftovers = conn.scalars(LEFTOVERS, {"role": role, "kept": kept}).all()
    if leftovers:
        raise Refused(f"role {role} still holds {', '.join(leftovers)} (through PUBLIC or a "
                      "role it belongs to): revoke it there; nothing was changed")
    return place, done


def apply(app_url: str, engine: Engine) -> tuple[Place, list[str]]:
    """Apply the grants for DATABASE_URL's role over the owner's `engine`, in one transaction
    (all or nothing); returns where, and the statements run."""
    role = app_role(app_url)
    # libpq's default database is the one named after the user.
    app_database = make_url(app_url).database or role
    if engine.dialect.name != "postgresql":
        raise Refused("MIGRATION_DATABASE_URL is not a PostgreSQL database, DATABASE_URL is")
    try:
        with engine.begin() as conn:
            return _apply(conn, role, app_database)
    except DBAPIError as error:
        first_line = str(error.orig).strip().splitlines()[0]
        raise Refused(f"the database refused: {first_line}") from error
