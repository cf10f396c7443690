"""REPORTS_DATABASE_URL and REPORTS_MAX_LAG_SECONDS: unset, nothing changes; a value that
cannot be a replica or a number of seconds stops the commands in one line."""

import os
import subprocess
import sys
from pathlib import Path

from compliance import create_app
from compliance.replica import REPORTS_BIND
from config import Config, DevelopmentConfig

ROOT = Path(__file__).resolve().parents[2]


def test_without_a_replica_set_the_app_has_one_engine_and_a_30_second_limit(tmp_path):
    config = type("Plain", (DevelopmentConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'plain.db'}",
        "REPORTS_DATABASE_URL": None})
    app = create_app(config)
    assert REPORTS_BIND not in app.config["SQLALCHEMY_BINDS"]
    assert Config.REPORTS_MAX_LAG_SECONDS == 30.0


def test_a_replica_set_is_an_engine_of_its_own_with_a_short_connect_timeout(tmp_path):
    url = "postgresql+psycopg://reader@replica.example.org:5432/sts"
    config = type("WithReplica", (DevelopmentConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'plain.db'}",
        "REPORTS_DATABASE_URL": url})
    bind = create_app(config).config["SQLALCHEMY_BINDS"][REPORTS_BIND]
    assert bind["url"] == url and bind["connect_args"]["connect_timeout"] == 3
    assert bind["pool_pre_ping"] is True


def test_a_replica_that_is_no_postgresql_or_a_lag_that_is_no_number_stops_the_commands():
    env = {k: v for k, v in os.environ.items() if k != "FLASK_APP"} | {
        "APP_ENV": "development", "REPORTS_DATABASE_URL": "sqlite:///reports.db",
        "REPORTS_MAX_LAG_SECONDS": "soon"}
    result = subprocess.run([sys.executable, "-m", "flask", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Configuration error: REPORTS_DATABASE_URL must name a PostgreSQL streaming replica "
        "(postgresql+psycopg://...), not 'sqlite'; REPORTS_MAX_LAG_SECONDS is 'soon', not a "
        "number of seconds"]
