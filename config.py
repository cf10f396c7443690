"""Configuration classes; every secret and location comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

from compliance.rules import limits

DEFAULT_SECRET_KEY = "dev-only-not-secret"
ROOT = Path(__file__).resolve().parent
# The audit trail's anchors are kept away from the database (instance/ holds the SQLite file and
# is what gets copied, restored or wiped with it): by default in the user's data directory.
# Production should point these at another disk or machine (see the README).
ANCHOR_DIR = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") \
    / "sts-compliance"


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _flag_env(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    # A relative SQLite path is resolved by Flask-SQLAlchemy inside the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///compliance.db")
    # Migrations and `flask db grants` connect as the role that owns the tables; the app's
    # role only reads and writes rows. Unset: the app's own URL serves both.
    MIGRATION_DATABASE_URL = os.environ.get("MIGRATION_DATABASE_URL") or None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "pool_size": 10,
                                       "max_overflow": 20}
    CLINIC_NAME = os.environ.get("CLINIC_NAME", "Demo Vein Clinic")
    CLINIC_TIMEZONE = os.environ.get("CLINIC_TIMEZONE", "Europe/London")

    IDLE_TIMEOUT = timedelta(minutes=_int_env("IDLE_TIMEOUT_MINUTES", 15))
    ABSOLUTE_TIMEOUT = timedelta(hours=_int_env("ABSOLUTE_TIMEOUT_HOURS", 12))
    PERMANENT_SESSION_LIFETIME = ABSOLUTE_TIMEOUT
    LOCKOUT_THRESHOLD = _int_env("LOCKOUT_THRESHOLD", 5)
    LOCKOUT_PERIOD = timedelta(minutes=_int_env("LOCKOUT_MINUTES", 15))
    NEAR_EXPIRY_DAYS = _int_env("NEAR_EXPIRY_DAYS", limits.NEAR_EXPIRY_DAYS)
    # Kept apart from instance/ (where the SQLite database lives) so that it can be another
    # disk; production should point it at one.
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(ROOT / "backups"))

    # Managers' notices (D8). No MAIL_HOST: no mail is sent, and `flask notices send` says so.
    MAIL_HOST = os.environ.get("MAIL_HOST", "")
    MAIL_PORT = _int_env("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_STARTTLS = os.environ.get("MAIL_STARTTLS", "true").lower() in ("1", "true", "yes")
    MAIL_FROM = os.environ.get("MAIL_FROM", "compliance@localhost")
    # Comma-separated addresses; empty: every active manager.
    NOTICE_RECIPIENTS = os.environ.get("NOTICE_RECIPIENTS", "")
    AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY", str(ANCHOR_DIR / "anchor-key.pem"))
    AUDIT_PUBLIC_KEY = os.environ.get("AUDIT_PUBLIC_KEY", str(ANCHOR_DIR / "anchor-key.pub.pem"))
    AUDIT_ANCHOR_LOG = os.environ.get("AUDIT_ANCHOR_LOG", str(ANCHOR_DIR / "anchors.jsonl"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the session itself times out; a token should not expire first
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"
    # Managers and prescribing doctors must set up a second factor before anything else (D8).
    REQUIRE_SECOND_FACTOR = _flag_env("REQUIRE_SECOND_FACTOR", False)


class DevelopmentConfig(Config):
    """Local use with `make run`."""

    DEBUG = False


class TestingConfig(Config):
    """The test suite: the database URL is chosen by the fixtures."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"
    MIGRATION_DATABASE_URL = None
    # Cheaper scrypt keeps the suite fast; production uses the full work factor.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    # Never the user's own key and anchors: the fixtures give each test files of its own.
    AUDIT_SIGNING_KEY = AUDIT_PUBLIC_KEY = AUDIT_ANCHOR_LOG = None
    # Tests that need it turn it on themselves, whatever the environment says.
    REQUIRE_SECOND_FACTOR = False


class ProductionConfig(Config):
    """Served by gunicorn behind TLS."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REQUIRE_SECOND_FACTOR = _flag_env("REQUIRE_SECOND_FACTOR", True)

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a missing or default secret key."""
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEFAULT_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        cls.SECRET_KEY = key


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
