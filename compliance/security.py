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

from compliance import idle
from compliance.extensions import db, login_manager
from compliance.models import User
from compliance.services import audit, second_factor

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
# Pages reachable while a forced password change is pending.
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "auth.keep_alive", "static"}
# Pages reachable by a user who must set up a second factor before anything else (D8).
ENROLMENT_ENDPOINTS = {"auth.second_factor_setup", "auth.logout", "auth.keep_alive", "static"}
# The password given, the code not yet: kept this long in the session, granting nothing.
SECOND_STEP = "second_step"
SECOND_STEP_SECONDS = 300


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
    idle.note_waiting(user)


def start_second_step(user: User, next_url: str | None) -> None:
    """Remember who gave the right password, and nothing more: not signed in until the code
    (`pending_second_step`) is given too."""
    session.clear()
    session[SECOND_STEP] = {"user_id": user.id, "token": user.session_token,
                            "at": time.time(), "next": next_url}


def pending_second_step() -> dict | None:
    """The half-finished sign-in of this browser, while it is recent enough."""
    pending = session.get(SECOND_STEP)
    if not pending or time.time() - pending.get("at", 0) > SECOND_STEP_SECONDS:
        session.pop(SECOND_STEP, None)
        return None
    return pending


def keep_session(user: User) -> None:
    """This browser's session follows `user`'s new session token, so it stays signed in
    while the user's other sessions end (timeouts carry on from the sign-in)."""
    login_user(user)


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
        return _timed_out()
    session["seen_at"] = time.time()
    if current_user.must_change_password:
        return _only(PASSWORD_CHANGE_ENDPOINTS, "auth.change_password",
                     "Choose a new password before you continue.")
    if second_factor.must_enrol(current_user):
        return _only(ENROLMENT_ENDPOINTS, "auth.second_factor_setup",
                     "Set up your second factor before you continue.")
    return None


def _timed_out():
    """End the expired session. A form sent now is kept for the session's user, who comes
    back to its page after signing in again (idle.py); nothing it asked for is done."""
    target, message = url_for("auth.login"), "Your session timed out. Sign in again."
    if request.method == "POST" and request.blueprint != "auth":
        page, kept = idle.keep_sent_form(current_user._get_current_object())
        target = url_for("auth.login", next=page)
        if kept:
            message = ("Your session timed out, so what you sent was not saved. Sign in "
                       "again within 30 minutes to find it back in the form.")
    end_session()
    flash(message, "warning")
    return redirect(target)


def _only(endpoints: set[str], target: str, message: str):
    """Send the user to `target` unless the page asked for is one of `endpoints`."""
    if request.endpoint in endpoints:
        return None
    flash(message, "warning")
    return redirect(url_for(target))


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
    idle.register(app)
    app.after_request(_add_headers)
