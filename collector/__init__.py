"""Anbefal's collector: the Flask app that stores touchpoint-tagged NPS answers."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, current_app, g

from . import storage
from .tokens import Tokens

__version__ = "0.1.0"

DEFAULTS: dict[str, Any] = {
    # SQLite file; created with its schema on first start.
    "DB": "anbefal.db",
    # Signing keys, newest first, separated by commas. Unset: a random key is
    # made once and stored in the database, so every worker shares it.
    "SECRET_KEY": None,
    # Base URL that snippets and links point at; unset: the request's own.
    "PUBLIC_URL": None,
    # Serve the demo shop page at /demo.
    "DEMO": False,
    # How long a browser may add its comment after the score, in seconds.
    "EDIT_SECRET_MAX_AGE": 2 * 60 * 60,
    # Largest body the public API accepts, in bytes.
    "API_MAX_BODY": 8 * 1024,
    # Largest body any route accepts (admin forms included), in bytes.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # Survey links: settings below.
    # How long the form of a survey link page stays valid, in seconds; after
    # that the page asks the person to send again (nothing they typed is lost).
    "LINK_FORM_MAX_AGE": 2 * 60 * 60,
    # (end of that part)
    #
    # Admin: settings below.
    # How long a login lasts, in seconds, however active it is.
    "ADMIN_SESSION_LIFETIME": 12 * 60 * 60,
    # Mark the admin's cookie Secure: "auto" when the request came over HTTPS
    # (behind a proxy: with ANBEFAL_PROXIES set), or always (true) / never (false).
    "ADMIN_SECURE_COOKIE": "auto",
    # Failed logins allowed per email (and 4x per client address) in a window of seconds.
    "ADMIN_LOGIN_ATTEMPTS": 5,
    "ADMIN_LOGIN_WINDOW": 15 * 60,
    # Responses per page on the comments and follow-up pages.
    "ADMIN_PAGE_SIZE": 50,
    # The overview flags an NPS from fewer answers than this as "few answers".
    "MIN_ANSWERS": 30,
    # (end of that part)
    #
    # Abuse and privacy: settings below.
    # "off" switches every rate limit off (load tests, trusted networks).
    "RATELIMIT": "on",
    # Per client address, over every public route together: answers sent
    # (POST, PATCH) and widget configs read (GET).
    "RATELIMIT_WRITES": "30/minute",
    "RATELIMIT_READS": "300/minute",
    # POST /api/v1/links (with an API key) per client address: generous, as
    # mail tools make links in bulk.
    "RATELIMIT_LINK_API": "600/minute",
    # Answers from known bots and crawlers get a success answer but are not stored.
    "BOT_FILTER": "on",
    # Seconds within which one visitor's answers without a ref to one
    # touchpoint count once (the last wins); 0 stores every one.
    "DEDUP_WINDOW": 600,
    # Reverse proxies in front of Anbefal whose X-Forwarded-* entries are
    # believed; 0 believes none (browsers connect directly).
    "PROXIES": 0,
    # Delete answers older than this many days (hourly, by one worker); 0 keeps them.
    "RETENTION_DAYS": 0,
    # (end of that part)
    #
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the collector: defaults, then ANBEFAL_* environment, then *test_config*."""
    app = Flask(__name__, instance_relative_config=False)
    # Flask's logger passes warnings and worse unless told otherwise; the
    # server's notes (what the hourly clean-up deleted, a honeypot filled)
    # are at info level and belong in the server's log too.
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("ANBEFAL")
    if test_config:
        app.config.from_mapping(test_config)
    app.config["DB"] = os.path.abspath(str(app.config["DB"]))

    _prepare_database(app)

    from . import errors, params

    params.install(app)

    errors.register(app)

    from . import api, embed

    app.register_blueprint(api.bp)
    app.register_blueprint(embed.bp)

    from . import openapi

    app.register_blueprint(openapi.bp)

    # Survey links: register the landing pages and the link API here.
    from . import link_api, links

    app.register_blueprint(links.bp)
    app.register_blueprint(link_api.bp)

    # Admin: register the admin blueprint here.
    import admin

    admin.register(app)

    # Abuse and privacy: register rate limits, bot filter and security headers here.
    from . import ratelimit, settings

    settings.whole_number(app, "DEDUP_WINDOW", minimum=0, meaning="a whole number of seconds (0 stores every answer)")
    ratelimit.configure(app)
    ratelimit.protect(app, "api")
    # Survey link pages: only the answers sent from them, not the pages.
    ratelimit.protect(app, "links", reads=False)
    ratelimit.protect(app, "link_api", setting="RATELIMIT_LINK_API")

    from . import security

    security.install(app)

    from . import privacy

    privacy.install(app)

    app.teardown_appcontext(_teardown)
    return app


def _prepare_database(app: Flask) -> None:
    """Apply migrations and settle the signing keys with a short-lived
    connection, closed again so that no connection outlives a fork."""
    conn = storage.connect(app.config["DB"])
    try:
        storage.migrate(conn)
        keys = _configured_keys(app.config.get("SECRET_KEY"))
        if not keys:
            keys = [storage.get_or_create_secret_key(conn)]
    finally:
        conn.close()
    app.config["SECRET_KEYS"] = keys
    # Flask's own signing (sessions, CSRF) uses the newest key and falls back
    # to the older ones, like our tokens.
    app.config["SECRET_KEY"] = keys[0]
    app.config["SECRET_KEY_FALLBACKS"] = keys[1:]


def _configured_keys(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list | tuple):
        return [str(key) for key in value if key]
    return [key.strip() for key in str(value).split(",") if key.strip()]


def get_db():
    """Return this worker's connection to the database."""
    if "db" not in g:
        g.db = storage.get_connection(current_app.config["DB"])
    return g.db


def get_tokens() -> Tokens:
    tokens = current_app.extensions.get("anbefal.tokens")
    if tokens is None:
        tokens = current_app.extensions["anbefal.tokens"] = Tokens(current_app.config["SECRET_KEYS"])
    return tokens


def _teardown(exc: BaseException | None) -> None:
    # The connection stays open for the life of the worker (one per process
    # and thread); only the per-request reference is dropped.
    g.pop("db", None)
