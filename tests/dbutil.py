"""Test databases: migrated once per run, then reset cheaply for every test."""

import os
import shutil
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from compliance import create_app
from compliance.models import Contraindication
from compliance.seeds import contraindication_rows
from config import TestingConfig

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
USING_POSTGRES = POSTGRES_URL.startswith("postgresql")


def config_for(uri: str, **overrides) -> type:
    """A TestingConfig bound to one database."""
    return type("BoundTestingConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": uri,
                                                        **overrides})


def migrate(uri: str) -> None:
    app = create_app(config_for(uri))
    with app.app_context():
        upgrade()
        from compliance.extensions import db

        db.engine.dispose()


def reset_postgres_schema(uri: str) -> None:
    engine = create_engine(uri)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def truncate_postgres(uri: str) -> None:
    # TRUNCATE skips the row triggers that keep append-only tables append-only.
    engine = create_engine(uri)
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        conn.execute(Contraindication.__table__.insert(), contraindication_rows())
    engine.dispose()


def prepare_template(directory: Path) -> str:
    """Migrate a database once; returns what `fresh_database` copies or resets."""
    if USING_POSTGRES:
        reset_postgres_schema(POSTGRES_URL)
        migrate(POSTGRES_URL)
        return POSTGRES_URL
    path = directory / "template.db"
    migrate(f"sqlite:///{path}")
    return str(path)


def fresh_database(template: str, directory: Path) -> str:
    """A database URI with the migrated schema and no rows."""
    if USING_POSTGRES:
        truncate_postgres(template)
        return template
    path = directory / "test.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"
