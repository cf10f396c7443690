"""Sessions, timeouts, safe redirects and security headers."""

import secrets
import time
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from compliance.extensions import db, login_manager
from compliance.models import User
from compliance.services import audit

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
# Pages reachable while a forced password change is pending.
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "static"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Accept a session only while its token matches the user's current one."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.is_active:
        return None
    if not secrets.compare_digest(user.session_token, token):
        return None
    return user


def acting_user() -> User | None:
    """The signed-in user of the current request, if any: the one helper through which
    code outside a view learns who is acting."""
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None."""
    if not target:
        return None
    cleaned = target.strip().replace("\\", "/")
    if any(ord(ch) < 32 for ch in cleaned) or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return cleaned


def start_session(user: User) -> None:
    """A fresh session for `user` (nothing carried over from before sign-in)."""
    session.clear()
    login_user(user)
    # A browser session cookie (no Expires): it goes when the browser closes, never to disk
    # for later; the absolute and idle timeouts below are enforced here, whatever the cookie.
    session.permanent = False
    now = time.time()
    session["login_at"] = now
    session["seen_at"] = now


def end_session() -> None:
    logout_user()
    session.clear()


def _session_expired(app: Flask) -> bool:
    now = time.time()
    login_at = session.get("login_at", 0)
    seen_at = session.get("seen_at", 0)
    return (now - login_at > app.config["ABSOLUTE_TIMEOUT"].total_seconds()
            or now - seen_at > app.config["IDLE_TIMEOUT"].total_seconds())


def _check_session(app: Flask):
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if _session_expired(app):
        end_session()
        flash("Your session timed out. Sign in again.", "warning")
        return redirect(url_for("auth.login"))
    session["seen_at"] = time.time()
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        flash("Choose a new password before you continue.", "warning")
        return redirect(url_for("auth.change_password"))
    return None


def _add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    if current_app.config["HSTS"]:
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        # Pages carry patient and stock data: never keep them in a shared cache.
        headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Hook session checks and headers into every request."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "basic"
    audit.use_ambient_actor(acting_user)
    proxies = app.config["PROXY_FIX"]
    if proxies:
        # Behind a TLS proxy: believe its X-Forwarded-For/-Proto/-Host, from that many hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.before_request(lambda: _check_session(app))
    app.after_request(_add_headers)
