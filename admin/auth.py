"""Logging in and out, and what guards every admin page.

The browser's session cookie (signed by Flask, path /admin, HttpOnly,
SameSite=Lax, Secure over HTTPS) holds a random token; the login itself is a
row in admin_sessions, so logging out or removing a user ends it on every
worker at once. Forms carry Flask-WTF CSRF tokens, checked here for the admin
blueprint only: the public API and the survey link pages set no cookie and
need no token.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from flask_wtf.csrf import CSRFError, CSRFProtect

from collector import ratelimit, security, storage
from collector.db import get_db
from collector.errors import FAULT_PAGES, error_response

from . import users
from .blueprint import bp, home_url

csrf = CSRFProtect()

FAILED_LOGIN = "Wrong email or password, or too many failed attempts. Wait a few minutes before you try again."


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS.

    ADMIN_SECURE_COOKIE = "auto" follows request.is_secure, which is right
    behind a proxy once ANBEFAL_PROXIES lets Anbefal trust X-Forwarded-Proto;
    true or false force it.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Most requests (every answer to the API) carry no admin cookie: give
        # them their empty session without building a signing serializer,
        # which costs about as much as checking a signature.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config["ADMIN_SECURE_COOKIE"]  # "auto", True or False
        if setting == "auto":
            return has_request_context() and request.is_secure
        return setting


def init_app(app: Flask) -> None:
    """Configure the session cookie and CSRF protection for the admin."""
    lifetime = app.config["ADMIN_SESSION_LIFETIME"]
    app.config.update(
        SESSION_COOKIE_NAME="anbefal_admin",
        # Only the admin's own paths ever see the cookie.
        SESSION_COOKIE_PATH="/admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=lifetime),
        # CSRF is checked by the admin blueprint itself (below), not app-wide.
        WTF_CSRF_CHECK_DEFAULT=False,
        # A token lives as long as the login it belongs to.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = AdminSessionInterface()
    csrf.init_app(app)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_user() -> storage.User | None:
    """Return the logged-in user of this request, or None."""
    if "admin_user" not in g:
        token = session.get("sid")
        g.admin_user = storage.user_for_admin_session(get_db(), _token_hash(token)) if isinstance(token, str) else None
    return g.admin_user


def public(view: Callable) -> Callable:
    """Mark an admin view as reachable without logging in."""
    view.admin_public = True  # type: ignore[attr-defined]
    return view


def login_required(view: Callable | None = None, *, api: bool = False) -> Any:
    """Require a logged-in user: pages redirect to the login, api=True views answer 401 JSON.

    The admin blueprint checks every route anyway; the decorator says so at
    the view and chooses how a missing login is answered.
    """

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user() is None:
                return _login_needed(api)
            return fn(*args, **kwargs)

        wrapper.admin_api = api  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate


def _login_needed(api: bool):
    if api:
        return error_response(401, "login_required", "log in to the admin first")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("admin.login", next=target))


@bp.before_request
def _guard():
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint != "admin.static" and not getattr(view, "admin_public", False):
        if current_user() is None:
            return _login_needed(getattr(view, "admin_api", False))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    return None


@bp.after_request
def _headers(response):
    security.apply(response, "admin")
    if request.endpoint != "admin.static":
        response.headers["Cache-Control"] = "no-store"
    # The admin is for its own pages only: never readable from another origin.
    for header in [name for name in response.headers.keys() if name.lower().startswith("access-control-")]:
        del response.headers[header]
    return response


@bp.errorhandler(CSRFError)
def _csrf_refused(exc: CSRFError):
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "admin_api", False):
        return error_response(400, "csrf_failed", exc.description)
    return render_template("admin/csrf_error.html", reason=exc.description), 400


def _storage_fault(fault: storage.Fault):
    """A full disk, a read-only or a busy database (collector.errors): nothing was changed."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "admin_api", False):
        return error_response(503, fault.code, fault.message), 503
    return render_template("admin/storage_fault.html", fault=fault), 503


FAULT_PAGES[bp.name] = _storage_fault


# A next goes into a Location header as it is: visible ASCII only, so no
# CR/LF to start a header of its own and no tab or space, which browsers drop
# from a URL (turning "/\t/evil.example" into "//evil.example").
_NEXT = re.compile(r"[!-~]+")


def safe_next(target: str | None) -> str | None:
    """Return *target* when it is a path inside the admin, else None (no open redirects)."""
    if not target or not _NEXT.fullmatch(target) or "\\" in target or target.startswith("//"):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # such as "http://[" (an unclosed IPv6 address)
        return None
    if parts.scheme or parts.netloc or not (parts.path == "/admin" or parts.path.startswith("/admin/")):
        return None
    # "/admin/../x" leaves the admin once the browser resolves it.
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the login form; log in and go on to the page asked for."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(next_url or home_url())
        return render_template("admin/login.html", next=next_url, email="", error=None)

    conn = get_db()
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    email_key = "login:email:" + email.lower()[:254]
    limit = current_app.config["ADMIN_LOGIN_ATTEMPTS"]
    # Per email against guessing one password, per address against trying many emails.
    keys = [(email_key, limit), ("login:addr:" + ratelimit.client_address(), limit * 4)]
    user = None
    if not _throttled(keys):
        user = users.authenticate(conn, email, password)
        if user is None:
            for key, key_limit in keys:
                ratelimit.hit(key, key_limit, current_app.config["ADMIN_LOGIN_WINDOW"])
    if user is None:
        return render_template("admin/login.html", next=next_url, email=email, error=FAILED_LOGIN), 401

    storage.clear_rate_limit(conn, ratelimit.hashed_key(email_key))
    # A new session from scratch: nothing from before the login (a planted
    # cookie, an old CSRF token) carries over into it.
    session.clear()
    token = secrets.token_urlsafe(32)
    storage.start_admin_session(conn, _token_hash(token), user.id, current_app.config["ADMIN_SESSION_LIFETIME"])
    session["sid"] = token
    session.permanent = True
    g.admin_user = user
    return redirect(next_url or home_url())


def _throttled(keys: list[tuple[str, int]]) -> bool:
    """True when any key has used up its failed logins in the current window.

    The counts are collector.ratelimit's, kept in SQLite: they hold across
    every gunicorn worker. ANBEFAL_RATELIMIT=off switches this off too.
    """
    if not ratelimit.enabled():
        return False
    now = ratelimit.now()
    return any(storage.rate_limit_count(get_db(), ratelimit.hashed_key(key), now) >= n for key, n in keys)


@bp.post("/logout")
@login_required
def logout():
    """End the login on the server and in the browser."""
    token = session.get("sid")
    if isinstance(token, str):
        storage.end_admin_session(get_db(), _token_hash(token))
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("admin.login"))
