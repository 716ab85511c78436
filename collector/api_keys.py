"""API keys for servers that make survey links over HTTP.

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


def new_key() -> str:
    """Return a fresh key; the prefix makes it recognisable in a config or a leak scan."""
    return PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create(name: str) -> tuple[storage.ApiKey, str]:
    """Store a new key called *name* and return it with the key itself (shown once)."""
    key = new_key()
    return storage.insert_api_key(get_db(), name, hash_key(key)), key


def require_api_key() -> storage.ApiKey:
    """Return the active key of this request's `Authorization: Bearer ...`, or raise a 401 ApiError."""
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
    return found
