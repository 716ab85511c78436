"""Rate limits whose counts live in SQLite, so they hold across every worker.

A limit is a number of hits per window of seconds, counted per key. Keys are
stored only as keyed hashes (HMAC with the app's newest secret key), so the
database never holds a client's address or whatever else a key was made of.

    from collector import ratelimit

    allowed, retry_after = ratelimit.hit("login:" + email, limit=5, window_seconds=900)

Public blueprints get the configured per-address limits with
`ratelimit.protect(app, "blueprint_name")` where the blueprint is registered; a single view with
`@ratelimit.limited()` (writes) or `@ratelimit.limited("RATELIMIT_READS")`.
A refused request is answered 429 with `Retry-After` (JSON on API paths; a
page elsewhere, the blueprint's own where it has one). `ANBEFAL_RATELIMIT=off` switches every limit off.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

from . import get_db, storage
from .errors import error_response, wants_json

# Expired counters are deleted at most this often per worker process.
CLEANUP_EVERY = 60

# The settings (ANBEFAL_RATELIMIT_*) that hold "N/period" limits; views and
# blueprints name them without the prefix.
LIMIT_SETTINGS = ("RATELIMIT_WRITES", "RATELIMIT_READS", "RATELIMIT_LINK_API")

_PERIODS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*([a-z]+?)s?\s*$")
_OFF = {"off", "false", "0", "no", "none", "disabled"}

_last_cleanup = 0


@dataclass(frozen=True)
class Limit:
    """At most *count* hits per *seconds*."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


def parse_limit(value: Any) -> Limit:
    """Parse "30/minute", "1000 per hour", "5/10s" or "100/day"; raise ValueError."""
    found = _LIMIT_RE.match(str(value).lower())
    if not found or found.group(3) not in _PERIODS:
        raise ValueError(f"{value!r} is not a rate limit like 30/minute, 1000/hour or 5/10s")
    count, multiple, unit = int(found.group(1)), int(found.group(2) or 1), _PERIODS[found.group(3)]
    if count < 1 or multiple < 1:
        raise ValueError(f"{value!r}: a rate limit needs at least one hit per at least one second")
    return Limit(count, multiple * unit)


def enabled(app: Flask | None = None) -> bool:
    """Return False when ANBEFAL_RATELIMIT switches rate limiting off."""
    value = (app or current_app).config.get("RATELIMIT", "on")
    return value is not False and str(value).strip().lower() not in _OFF


def configure(app: Flask) -> None:
    """Check the configured limits once at start, so a typo fails loudly."""
    for name in LIMIT_SETTINGS:
        try:
            parse_limit(app.config[name])
        except ValueError as exc:
            raise ValueError(f"ANBEFAL_{name}: {exc}") from None


def configured_limit(name: str) -> Limit:
    return parse_limit(current_app.config[name])


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
    count, expires_at = storage.rate_limit_hit(conn, hashed_key(key), window_seconds, when)
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


def check(setting: str, scope: str | None = None):
    """Count this request against the limit in *setting*, per client address.

    Return None when it is allowed, else the 429 answer (or raise it; see
    too_many_requests). Every route
    limited by the same setting shares one count per address, unless a
    *scope* of its own is given.
    """
    if not enabled():
        return None
    limit = configured_limit(setting)
    allowed, retry_after = hit(f"{scope or setting}:{client_address()}", limit.count, limit.seconds)
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


def limited(setting: str = "RATELIMIT_WRITES", scope: str | None = None) -> Callable:
    """Decorate a view so each call counts against the limit in *setting*."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            refused = check(setting, scope)
            return refused if refused is not None else view(*args, **kwargs)

        return wrapper

    return decorate
