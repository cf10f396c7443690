"""The clinic's prescription and sclerosant stock compliance application."""

import importlib
from pathlib import Path

from flask import Flask

from compliance import (
    cli,
    database,  # noqa: F401 - its engine listeners apply to every engine
    error_pages,
    logs,
    replica,
    routing,
    scope,
    security,
    templating,
)
from compliance.extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class) -> Flask:
    """Build an application configured by `config_class`."""
    if hasattr(config_class, "check"):
        config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(exist_ok=True)
    logs.register(app)  # first: its request id is set before any other hook can answer
    routing.register(app)
    register_extensions(app)
    register_blueprints(app)
    error_pages.register_error_pages(app)
    security.register(app)
    scope.register(app)  # after the session checks: a timed-out user signs in again first
    templating.register(app)
    cli.register(app)
    return app


def register_extensions(app: Flask) -> None:
    replica.configure(app)  # the reports' replica, when set, is one of the engines
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)


# Each blueprint's package and the prefix of its paths (None: its own paths, as the locations
# blueprint's /locations/... and the header's /location).
BLUEPRINTS = (("main", None), ("auth", None), ("health", None), ("users", "/users"),
              ("audit", "/audit"), ("stock", "/stock"), ("treatment", "/treatment"),
              ("reports", "/reports"), ("patients", "/patients"), ("notices", "/notices"),
              ("locations_admin", None), ("temperatures", "/temperatures"))


def register_blueprints(app: Flask) -> None:
    for package, prefix in BLUEPRINTS:
        blueprint = importlib.import_module(f"compliance.{package}").bp
        app.register_blueprint(blueprint, url_prefix=prefix)
