"""Rate limits whose counts live in SQLite, so they hold across every worker.

A limit is a number of hits per window of seconds, counted per key. Keys are
stored only as keyed hashes (HMAC with the app's newest secret key), so the
database never holds a client's address or whatever else a key was made of.

    from collector import ratelimit

    allowed, retry_after = ratelimit.hit("login:" + email, limit=5, window_seconds=900)

Public blueprints get the configured per-address limits with
`ratelimit.protect(app, "blueprint_name")` where the blueprint is registered; a single view with
`ratelimit.check("RATELIMIT_WRITES")`.
A refused request is answered 429 with `Retry-After` (JSON on API paths; a
page elsewhere, the blueprint's own where it has one). `ANBEFAL_RATELIMIT=off` switches every limit off.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from functools import partial

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

from . import storage
from .db import get_db
from .errors import error_response, log_fault, wants_json
from .settings import Limit

# Expired counters are deleted at most this often per worker process.
CLEANUP_EVERY = 60

_last_cleanup = 0


def enabled(app: Flask | None = None) -> bool:
    """Return False when ANBEFAL_RATELIMIT switches rate limiting off."""
    return (app or current_app).config["RATELIMIT"]


def hashed_key(key: str) -> str:
    """Return the keyed hash under which *key* is counted."""
    secret = current_app.config["SECRET_KEYS"][0].encode("utf-8")
    digest = hmac.new(secret, b"anbefal.ratelimit\x00" + key.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


def now() -> int:
    """The clock counters are kept by (whole seconds); tests freeze it."""
    return int(time.time())


def hit(key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one hit on *key*; return (allowed, seconds until the window ends).

    The first *limit* hits of a window are allowed; the window starts with
    the first hit after the previous one ended. With rate limiting switched
    off, every hit is allowed and nothing is written.
    """
    if not enabled():
        return True, 0
    when = now()
    conn = get_db()
    try:
        count, expires_at = storage.rate_limit_hit(conn, hashed_key(key), window_seconds, when)
    except (sqlite3.Error, OSError) as exc:
        fault = storage.classify_fault(exc)
        if fault is None or request.method not in ("GET", "HEAD"):
            raise  # a write would meet the same fault: it is answered as one (collector.errors)
        # A read needs no write: while the database cannot count it, it goes uncounted.
        log_fault(fault, exc)
        return True, 0
    _clean_up_now_and_then(conn, when)
    return count <= limit, max(1, expires_at - when)


def _clean_up_now_and_then(conn, when: int) -> None:
    global _last_cleanup
    if when - _last_cleanup < CLEANUP_EVERY:
        return
    _last_cleanup = when
    storage.delete_expired_rate_limits(conn, when)


def client_address() -> str:
    """Return the client's address (the real one behind ANBEFAL_PROXIES proxies)."""
    return request.remote_addr or "unknown"


def too_many_requests(retry_after: int):
    """The 429 answer in the JSON error shape on API paths; elsewhere, raise
    TooManyRequests for the error handlers to answer with a page."""
    message = f"too many requests from this address; try again in {retry_after} seconds"
    if wants_json():
        return error_response(429, "rate_limited", message, {"Retry-After": str(retry_after)})
    exc = TooManyRequests(description=f"Too many requests. Please try again in {retry_after} seconds.")
    exc.retry_after = retry_after  # werkzeug turns it into the Retry-After header
    # Raised, not returned, so that a blueprint can answer people with a page
    # of its own (the survey links show their form again); elsewhere the
    # app's error handler shows werkzeug's page.
    raise exc


def check(setting: str):
    """Count this request against the limit in *setting*, per client address.

    Return None when it is allowed, else the 429 answer (or raise it; see
    too_many_requests). Every route limited by the same setting shares one
    count per address.
    """
    if not enabled():
        return None
    limit: Limit = current_app.config[setting]  # parsed at start
    allowed, retry_after = hit(f"{setting}:{client_address()}", limit.count, limit.seconds)
    return None if allowed else too_many_requests(retry_after)


def setting_for_method(method: str) -> str:
    """Reads (GET, HEAD) and writes (everything else) have separate limits."""
    return "RATELIMIT_READS" if method in ("GET", "HEAD") else "RATELIMIT_WRITES"


def protect(app: Flask, *blueprints: str, reads: bool = True, setting: str | None = None) -> None:
    """Limit every request to the named blueprints per client address
    (CORS preflights excepted): writes by RATELIMIT_WRITES, and reads (GET,
    HEAD) by RATELIMIT_READS unless *reads* is False; or every request by
    *setting*, a limit of their own.

    Hooked on the app rather than on the blueprint objects, which are shared
    by every app made in one process and cannot take hooks once registered.
    """
    if setting is not None:
        hook = partial(_rate_limit_by, setting)
    else:
        hook = _rate_limit_request if reads else _rate_limit_writes
    for name in blueprints:
        app.before_request_funcs.setdefault(name, []).append(hook)


def _rate_limit_by(setting: str):
    if request.method == "OPTIONS":
        return None
    return check(setting)


def _rate_limit_request():
    if request.method == "OPTIONS":
        return None
    return check(setting_for_method(request.method))


def _rate_limit_writes():
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    return check("RATELIMIT_WRITES")
