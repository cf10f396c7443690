import gc
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from compliance import create_app
from config import (
    DEFAULT_SECRET_KEY,
    ConfigurationError,
    ProductionConfig,
    config_for,
    secret_key_problem,
)

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "Zq3-vT8pLm2xW9rB4nK7yH1cF6dJ0sGe"
WEAK_KEYS = {
    "": "is not set",
    DEFAULT_SECRET_KEY: "development default",
    "short": "fewer than 32",
    "a" * 32: "too regular",
    "abababababababababababababababab": "too regular",
    "12345678901234567890123456789012": "too regular",
    "abcdefghijklmnopqrstuvwxyzabcdef": "too regular",
}


@pytest.mark.parametrize("key, reason", WEAK_KEYS.items())
def test_production_refuses_a_missing_default_or_weak_secret_key(monkeypatch, key, reason):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match=reason):
        create_app(ProductionConfig)


def test_a_random_key_passes_the_check():
    assert secret_key_problem(GOOD_KEY) is None


def test_production_starts_with_a_real_secret_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["HSTS"] is True
    assert app.config["ALLOW_DEMO_DATA"] is False


def test_an_unknown_app_env_is_named():
    with pytest.raises(ConfigurationError, match="APP_ENV is 'prod'"):
        config_for("prod")


def _production_env(key: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "SECRET_KEY")}
    return env | {"APP_ENV": "production", "SECRET_KEY": key}


def _assert_one_line_refusal(result) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert [line for line in lines if "SECRET_KEY" in line] == [
        "Configuration error: SECRET_KEY is too regular (too few different characters): "
        "set SECRET_KEY to a random value of at least 32 characters, e.g. "
        '`python3 -c "import secrets; print(secrets.token_urlsafe(48))"`']


def test_flask_commands_stop_with_one_line_on_a_weak_key():
    result = subprocess.run([sys.executable, "-m", "flask", "--help"], cwd=ROOT,
                            env=_production_env("a" * 32), capture_output=True, text=True,
                            timeout=60)
    _assert_one_line_refusal(result)
    assert len(result.stderr.strip().splitlines()) == 1


def test_gunicorn_stops_with_one_line_on_a_weak_key():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run([str(gunicorn), "--config", "gunicorn.conf.py", "--bind",
                             "127.0.0.1:0", "wsgi:app"], cwd=ROOT, env=_production_env("a" * 32),
                            capture_output=True, text=True, timeout=60)
    _assert_one_line_refusal(result)
    assert result.returncode == 4 and len(result.stderr.strip().splitlines()) == 1


def test_gunicorn_without_its_settings_halts_rather_than_starting_workers_again():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run([str(gunicorn), "--config", "/dev/null", "--bind", "127.0.0.1:0",
                             "--workers", "1", "wsgi:app"], cwd=ROOT,
                            env=_production_env("a" * 32), capture_output=True, text=True,
                            timeout=60)
    _assert_one_line_refusal(result)
    assert result.returncode == 4 and "App failed to load" in result.stderr


@pytest.mark.parametrize("entry", ["flask", "gunicorn"])
def test_a_setting_that_is_not_a_number_stops_the_commands_in_one_line(entry):
    env = {k: v for k, v in os.environ.items() if k != "FLASK_APP"} | {
        "APP_ENV": "development", "PROXY_FIX": "yes", "MAIL_PORT": "smtp",
        "CLINIC_TIMEZONE": "Europe/Lodnon"}
    command = ([sys.executable, "-m", "flask", "--help"] if entry == "flask" else
               [str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py",
                "--bind", "127.0.0.1:0", "wsgi:app"])
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Configuration error: CLINIC_TIMEZONE is 'Europe/Lodnon', not a time zone name such "
        "as Europe/London; MAIL_PORT is 'smtp', not a whole number; "
        "PROXY_FIX is 'yes', not a whole number"]


@pytest.mark.parametrize("value", ["Europe", "Europe/Lodnon", "../etc/passwd", "/etc/localtime"])
def test_a_clinic_time_zone_python_cannot_find_is_a_problem(monkeypatch, value):
    monkeypatch.setattr(config, "PROBLEMS", [])
    monkeypatch.setenv("CLINIC_TIMEZONE", value)
    assert config._zone_env("CLINIC_TIMEZONE", "Europe/London") == "Europe/London"
    found = config.PROBLEMS
    assert found == [f"CLINIC_TIMEZONE is {value!r}, not a time zone name such as Europe/London"]


def test_without_a_time_zone_database_the_default_zone_says_so(monkeypatch):
    def no_database(key):
        raise config.ZoneInfoNotFoundError(f"No time zone found with key {key}")

    monkeypatch.setattr(config, "PROBLEMS", [])
    monkeypatch.setattr(config, "ZoneInfo", no_database)
    monkeypatch.delenv("CLINIC_TIMEZONE", raising=False)
    assert config._zone_env("CLINIC_TIMEZONE", "Europe/London") == "Europe/London"
    found = config.PROBLEMS
    assert found == ["CLINIC_TIMEZONE is 'Europe/London', but this machine has no time zone "
                     "database (install the tzdata package)"]


@pytest.mark.parametrize("value", ["Asia/Kathmandu", "CET", " UTC "])
def test_a_clinic_time_zone_python_knows_is_kept(monkeypatch, value):
    monkeypatch.setattr(config, "PROBLEMS", [])
    monkeypatch.setenv("CLINIC_TIMEZONE", value)
    assert config._zone_env("CLINIC_TIMEZONE", "Europe/London") == value.strip()
    assert not config.PROBLEMS


def test_without_a_home_directory_the_anchor_files_have_no_default(monkeypatch):
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("AUDIT_ANCHOR_LOG", raising=False)
    assert config.anchor_file("AUDIT_ANCHOR_LOG", "anchors.jsonl") is None
    monkeypatch.setenv("AUDIT_ANCHOR_LOG", "/srv/anchors.jsonl")
    assert config.anchor_file("AUDIT_ANCHOR_LOG", "anchors.jsonl") == "/srv/anchors.jsonl"


def test_gunicorn_freezes_the_loaded_application_before_each_worker_forks():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    assert gc.get_freeze_count() == 0
    try:
        settings.pre_fork(None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
