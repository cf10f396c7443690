import pytest

from compliance import create_app
from config import DEFAULT_SECRET_KEY, ProductionConfig


@pytest.mark.parametrize("key", ["", DEFAULT_SECRET_KEY, "short"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_starts_with_a_real_secret_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
