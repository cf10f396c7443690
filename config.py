"""Configuration classes; every secret and location comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compliance.rules import limits

DEFAULT_SECRET_KEY = "dev-only-not-secret"
ROOT = Path(__file__).resolve().parent
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 10
SECRET_KEY_ADVICE = ('set SECRET_KEY to a random value of at least 32 characters, e.g. '
                     '`python3 -c "import secrets; print(secrets.token_urlsafe(48))"`')


class ConfigurationError(Exception):
    """A setting that stops the application from starting; its message is one line."""


# The classes below read the environment when this module is imported, before an entry point
# can report anything in one line: what is wrong is kept here and raised by `check()`.
PROBLEMS: list[str] = []


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        PROBLEMS.append(f"{name} is {value!r}, not a whole number")
        return default


def _seconds_env(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        seconds = float(value) if value else default
    except ValueError:
        seconds = -1
    if not 0 <= seconds < float("inf"):
        PROBLEMS.append(f"{name} is {value!r}, not a number of seconds")
        return default
    return seconds


def _zone_env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    try:
        ZoneInfo(value)
    # The tzdata package answers a folder's name ("Europe") with IsADirectoryError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        PROBLEMS.append(f"{name} is {value!r}, not a time zone name such as {default}"
                        if value != default else
                        f"{name} is {value!r}, but this machine has no time zone database "
                        "(install the tzdata package)")
        return default
    return value


def _replica_url() -> str | None:
    url = os.environ.get("REPORTS_DATABASE_URL", "").strip() or None
    if url and not url.startswith("postgresql"):
        PROBLEMS.append("REPORTS_DATABASE_URL must name a PostgreSQL streaming replica "
                        f"(postgresql+psycopg://...), not {url.split(':')[0]!r}")
        return None
    return url


def anchor_file(name: str, default_file: str) -> str | None:
    """The setting `name`, else a file in the user's data directory. The anchors are kept away
    from the database (instance/ holds the SQLite file and is copied, restored or wiped with
    it); production should point them at another disk or machine (see the README). Without a
    home directory there is no default: the commands that need the file say it is not set."""
    if name in os.environ:
        return os.environ[name]
    data = os.environ.get("XDG_DATA_HOME")
    if not data:
        try:
            data = str(Path.home() / ".local" / "share")
        except RuntimeError:
            return None
    return str(Path(data) / "sts-compliance" / default_file)


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
    # Reports, their exports and charts read from this PostgreSQL streaming replica while it
    # answers and is at most REPORTS_MAX_LAG_SECONDS behind; else from DATABASE_URL, and the
    # page says so. Unset: everything reads from DATABASE_URL (compliance/replica.py).
    REPORTS_DATABASE_URL = _replica_url()
    REPORTS_MAX_LAG_SECONDS = _seconds_env("REPORTS_MAX_LAG_SECONDS", 30.0)
    CLINIC_NAME = os.environ.get("CLINIC_NAME", "Demo Vein Clinic")
    CLINIC_TIMEZONE = _zone_env("CLINIC_TIMEZONE", "Europe/London")

    IDLE_TIMEOUT = timedelta(minutes=_int_env("IDLE_TIMEOUT_MINUTES", 15))
    # Signed-in pages count down this long before the idle timeout, with "Stay signed in".
    IDLE_WARNING = timedelta(minutes=2)
    ABSOLUTE_TIMEOUT = timedelta(hours=_int_env("ABSOLUTE_TIMEOUT_HOURS", 12))
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
    AUDIT_SIGNING_KEY = anchor_file("AUDIT_SIGNING_KEY", "anchor-key.pem")
    AUDIT_PUBLIC_KEY = anchor_file("AUDIT_PUBLIC_KEY", "anchor-key.pub.pem")
    AUDIT_ANCHOR_LOG = anchor_file("AUDIT_ANCHOR_LOG", "anchors.jsonl")
    # The health check fails when the nightly verification has not been recorded for longer.
    VERIFICATION_MAX_AGE_HOURS = _int_env("VERIFICATION_MAX_AGE_HOURS", 26)
    # `flask audit replay` goes over the trail in as few passes (up to 20) as keep the rows
    # it holds within this; a clinic group's trail takes one.
    AUDIT_REPLAY_MEMORY_MB = _int_env("AUDIT_REPLAY_MEMORY_MB", 4096)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the session itself times out; a token should not expire first
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Passwords, one-time passwords and recovery codes are hashed with argon2id, the OWASP
    # Password Storage Cheat Sheet's first choice, at its first configuration (m=19 MiB, t=2,
    # p=1): memory makes each guess dear on a GPU, and one lane because gunicorn's workers
    # already share the cores. Raising any of these re-hashes each password at its owner's
    # next sign-in (services/passwords.py: needs_rehash).
    PASSWORD_HASH_MEMORY_KIB = 19 * 1024
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_PARALLELISM = 1
    # A report's PDF of more rows than this is refused before any row is laid out, with the
    # CSV of the same filters offered. WeasyPrint takes about 20 ms of a core per row of the
    # session audit (the dearest row): 500 rows take about 10 s on this 2-core machine, 1,000
    # took up to 32 s when the machine was busy, past gunicorn's 30 s default timeout
    # (bench/RESULTS.md, "Report PDFs (issue 17, item 3)").
    PDF_MAX_ROWS = _int_env("PDF_MAX_ROWS", 500)
    # Managers and prescribing doctors must set up a second factor before anything else (D8).
    REQUIRE_SECOND_FACTOR = _flag_env("REQUIRE_SECOND_FACTOR", False)
    # How many proxies in front set X-Forwarded-For/-Proto/-Host; 0 trusts none of them.
    PROXY_FIX = _int_env("PROXY_FIX", 0)
    HSTS = False
    ALLOW_DEMO_DATA = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a setting that could not be read."""
        if PROBLEMS:
            raise ConfigurationError("; ".join(PROBLEMS))


class DevelopmentConfig(Config):
    """Local use with `make run`."""

    DEBUG = False


class TestingConfig(Config):
    """The test suite: the database URL is chosen by the fixtures."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"
    MIGRATION_DATABASE_URL = None
    # A test that reads reports from a replica names it itself (tests/reports/test_replica.py).
    REPORTS_DATABASE_URL = None
    # A tiny argon2id keeps the suite fast; every other configuration uses OWASP's parameters.
    PASSWORD_HASH_MEMORY_KIB = 64
    PASSWORD_HASH_TIME_COST = 1
    # Never the user's own key and anchors: the fixtures give each test files of its own.
    AUDIT_SIGNING_KEY = AUDIT_PUBLIC_KEY = AUDIT_ANCHOR_LOG = None
    # Tests that need it turn it on themselves, whatever the environment says.
    REQUIRE_SECOND_FACTOR = False


class ProductionConfig(Config):
    """Served by gunicorn behind TLS."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REQUIRE_SECOND_FACTOR = _flag_env("REQUIRE_SECOND_FACTOR", True)
    HSTS = True
    ALLOW_DEMO_DATA = False

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a missing, default or weak secret key, or an unreadable
        setting."""
        super().check()
        problem = secret_key_problem(os.environ.get("SECRET_KEY", ""))
        if problem:
            raise ConfigurationError(f"SECRET_KEY {problem}: {SECRET_KEY_ADVICE}")
        cls.SECRET_KEY = os.environ["SECRET_KEY"]


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign production sessions, or None when it can."""
    if not key:
        return "is not set"
    if key == DEFAULT_SECRET_KEY:
        return "is the development default"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
    classes = {("lower" if ch.islower() else "upper" if ch.isupper()
                else "digit" if ch.isdigit() else "other") for ch in key}
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT or len(classes) < 2:
        return "is too regular (too few different characters)"
    return None


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(env: str | None):
    """The configuration class named by APP_ENV (development when unset)."""
    name = env or "development"
    if name not in CONFIGS:
        raise ConfigurationError(f"APP_ENV is {name!r}: use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
