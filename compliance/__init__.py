"""The clinic's prescription and sclerosant stock compliance application."""

from pathlib import Path

from flask import Flask

from compliance import (
    cli,
    database,  # noqa: F401 - its engine listeners apply to every engine
    error_pages,
    logs,
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
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)


def register_blueprints(app: Flask) -> None:
    from compliance.audit import bp as audit_bp
    from compliance.auth import bp as auth_bp
    from compliance.health import bp as health_bp
    from compliance.main import bp as main_bp
    from compliance.notices import bp as notices_bp
    from compliance.patients import bp as patients_bp
    from compliance.reports import bp as reports_bp
    from compliance.stock import bp as stock_bp
    from compliance.treatment import bp as treatment_bp
    from compliance.users import bp as users_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(users_bp, url_prefix="/users")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(stock_bp, url_prefix="/stock")
    app.register_blueprint(treatment_bp, url_prefix="/treatment")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(patients_bp, url_prefix="/patients")
    app.register_blueprint(notices_bp, url_prefix="/notices")
