"""The idle timeout made kinder: every signed-in page warns before it, and a form sent after
it is kept for its user, who finds it back in the form, not submitted, after signing in."""

from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, has_request_context, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from compliance.services import kept_forms

# In the session: this user has kept forms waiting (saves a query on every other page).
WAITING = "kept_forms_waiting"
# In the session: the last page asked for, where a form shown again after a refusal came from
# (its own address is the POST's, which cannot be shown with a GET).
LAST_PAGE = "last_page"
MAX_URL_CHARS = 500
RESTORED = ("Your unsaved entry has been put back in the form below. It is not saved: check "
            "it and submit it.")


def _here() -> str:
    return request.full_path.rstrip("?")


def _shows_a_page(target: str | None) -> bool:
    """Whether `target` is a page of this app that a GET shows (not a sign-in page)."""
    if (not target or len(target) > MAX_URL_CHARS or not target.startswith("/")
            or target.startswith("//") or "\\" in target):
        return False
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _args = adapter.match(urlsplit(target).path, method="GET")
    except HTTPException:  # not found, not a GET, or redirected
        return False
    return endpoint != "static" and not endpoint.startswith("auth.")


def _referring_page() -> str | None:
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def form_page() -> str:
    """The page the form now sent was shown on, to come back to after signing in."""
    for candidate in (_referring_page(), _here(), session.get(LAST_PAGE)):
        if _shows_a_page(candidate):
            return candidate
    return url_for("main.home")


def keep_sent_form(user) -> tuple[str, bool]:
    """Keep the form of this timed-out POST for `user` (the session's user: never a name the
    form gives); the page to come back to, and whether anything was kept. Files are not
    kept: a browser cannot be given one back."""
    page, action = form_page(), _here()
    if len(action) > MAX_URL_CHARS:  # no form of the app is sent to such an address
        return page, False
    return page, kept_forms.keep(user, page, action, request.form.items(multi=True))


def note_waiting(user) -> None:
    """At sign-in: remember whether `user` has kept forms to be given back."""
    if kept_forms.waiting(user.id):
        session[WAITING] = True


def _after_check() -> None:
    """On a signed-in GET: note the page, and give back a form kept for it."""
    g.pop("kept_form", None)  # this request's alone, whatever shares the app context
    if request.method != "GET" or not current_user.is_authenticated:
        return
    if request.endpoint != "static" and len(_here()) <= MAX_URL_CHARS:
        session[LAST_PAGE] = _here()
    if not session.get(WAITING):
        return
    restored = kept_forms.take(current_user._get_current_object(), _here())
    if restored is not None:
        g.kept_form = {"action": restored.action_url, "fields": restored.fields}
        flash(RESTORED, "warning")
    if not kept_forms.waiting(current_user.id):
        session.pop(WAITING, None)


def _template_values() -> dict:
    # A template rendered outside a request (a command) has nobody signed in.
    if not has_request_context() or not current_user.is_authenticated:
        return {}
    idle = current_app.config["IDLE_TIMEOUT"].total_seconds()
    warn = min(current_app.config["IDLE_WARNING"].total_seconds(), idle)
    return {"idle_seconds": int(idle), "idle_warn_seconds": int(warn),
            "kept_form": g.get("kept_form")}


def register(app: Flask) -> None:
    """After the session check (security.py), which ends an expired session first."""
    app.before_request(_after_check)
    app.context_processor(_template_values)
