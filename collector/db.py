"""The request's database connection and token maker, as flaskr's db.py has them.

In a module of its own so that views import these without importing the app
factory's module back.
"""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, g

from . import storage
from .tokens import Tokens


def get_db() -> sqlite3.Connection:
    """Return this worker's connection to the database."""
    if "db" not in g:
        g.db = storage.get_connection(current_app.config["DB"], current_app.config["BUSY_TIMEOUT"])
    return g.db


def get_tokens() -> Tokens:
    """Return the app's maker and checker of signed values, made once per app."""
    tokens = current_app.extensions.get("anbefal.tokens")
    if tokens is None:
        tokens = current_app.extensions["anbefal.tokens"] = Tokens(current_app.config["SECRET_KEYS"])
    return tokens


def _release(exc: BaseException | None) -> None:
    # The connection stays open for the life of the worker (one per process
    # and thread); only the per-request reference is dropped.
    g.pop("db", None)


def init_app(app: Flask) -> None:
    """Drop the request's reference to the connection when the request ends."""
    app.teardown_appcontext(_release)
