"""Recognise a repeat visitor without cookies and without storing the address.

A visitor is a keyed hash (HMAC-SHA256) of the client's address and
User-Agent. Its key is made of the app's secret key and a salt that changes
every day (UTC): the salt is made at random, kept in the settings table so
every worker uses the same one, and deleted two days later. After that not
even this server can tell whose hash it was; within a day, nobody without
the secret key can test an address against it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app, request

from . import storage
from .db import get_db

# {(database, day): salt}: a day's salt never changes once made, so each
# worker reads it from the database once a day.
_salts: dict[tuple[str, str], str] = {}


def today() -> str:
    """The UTC day whose salt is used now, YYYY-MM-DD; tests freeze it."""
    return datetime.now(UTC).date().isoformat()


def oldest_kept_day(day: str) -> str:
    """Salts are kept for their own day and the next, then deleted."""
    return (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat()


def daily_salt() -> str:
    day = today()
    key = (current_app.config["DB"], day)
    salt = _salts.get(key)
    if salt is None:
        salt = storage.get_or_create_visitor_salt(get_db(), day, oldest_kept_day(day))
        if len(_salts) > 16:
            _salts.clear()
        _salts[key] = salt
    return salt


def visitor_hash(address: str, user_agent: str) -> str:
    """Return the visitor of *address* and *user_agent* for today."""
    key = hashlib.sha256(
        b"anbefal.visitor\x00" + current_app.config["SECRET_KEYS"][0].encode() + b"\x00" + daily_salt().encode()
    ).digest()
    message = address.encode("utf-8", "replace") + b"\x00" + user_agent.encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def current_visitor() -> str:
    """Return the visitor of this request (the real address behind ANBEFAL_PROXIES proxies)."""
    return visitor_hash(request.remote_addr or "unknown", request.headers.get("User-Agent", ""))
