"""API keys for servers that call the API: to make survey links, or to read
answers and figures. Each key grants one or more scopes.

A key is shown once, when it is made, and only its SHA-256 is stored. A
fast hash is enough here (unlike for passwords): keys are 256 random bits,
so there is nothing to guess from a stolen hash.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import request

from . import storage
from .db import get_db
from .errors import ApiError

PREFIX = "anb_"
MAX_KEY_LENGTH = 200
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="anbefal"'}

# What a key may do; a key made without --scope gets DEFAULT_SCOPES.
SCOPES = {
    "links": "make survey links (POST /api/v1/links)",
    "read": "read answers, figures and touchpoints (GET /api/v1/responses, /stats, /touchpoints)",
}
DEFAULT_SCOPES = ("links",)


class UnknownScope(ValueError):
    """A scope name that SCOPES does not know."""


def parse_scopes(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Return the scopes named in *values* (each one name or a comma list), in
    SCOPES's order without repeats; DEFAULT_SCOPES when none is named."""
    named = {part.strip().lower() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(named - set(SCOPES))
    if unknown:
        raise UnknownScope(f"unknown scope {unknown[0]!r}: choose from {', '.join(SCOPES)}")
    return tuple(scope for scope in SCOPES if scope in named) or DEFAULT_SCOPES


def new_key() -> str:
    """Return a fresh key; the prefix makes it recognisable in a config or a leak scan."""
    return PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create(name: str, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> tuple[storage.ApiKey, str]:
    """Store a new key called *name* with *scopes* and return it with the key itself (shown once)."""
    key = new_key()
    return storage.insert_api_key(get_db(), name, hash_key(key), scopes), key


def require_api_key(scope: str) -> storage.ApiKey:
    """Return the active key of this request's `Authorization: Bearer ...`
    if it grants *scope*; else raise a 401 (no such key) or 403 (not this scope) ApiError."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ApiError(401, "missing_api_key", "send an API key as: Authorization: Bearer <key>", CHALLENGE)
    if len(key) > MAX_KEY_LENGTH or not key.isascii():
        raise ApiError(401, "invalid_api_key", "the API key is unknown or has been revoked", CHALLENGE)
    found = storage.use_api_key(get_db(), hash_key(key))
    if found is None:
        raise ApiError(401, "invalid_api_key", "the API key is unknown or has been revoked", CHALLENGE)
    if scope not in found.scopes:
        # RFC 6750's answer to a good token that lacks the scope.
        challenge = f'Bearer realm="anbefal", error="insufficient_scope", scope="{scope}"'
        what = SCOPES[scope].partition(" (")[0]
        message = f"this API key may not {what}; make a key with: anbefal apikey create NAME --scope {scope}"
        raise ApiError(403, "insufficient_scope", message, {"WWW-Authenticate": challenge})
    return found
