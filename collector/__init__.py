"""Anbefal's collector: the Flask app that stores touchpoint-tagged NPS answers."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from flask import Flask

from . import db, settings, storage

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the collector: defaults, then ANBEFAL_* environment, then *test_config*."""
    app = Flask(__name__, instance_relative_config=False)
    # Flask's logger passes warnings and worse unless told otherwise; the
    # server's notes (what the hourly clean-up deleted, a honeypot filled)
    # are at info level and belong in the server's log too.
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_prefixed_env("ANBEFAL")
    if test_config:
        app.config.from_mapping(test_config)
    # Every setting parsed once, here; the code reads the parsed values.
    settings.check(app.config)

    _prepare_database(app)

    # Blueprints by audience, imported here so that nothing imports this module back.
    from . import api, embed, errors, links, openapi, params, privacy, ratelimit, read_api, security

    # Before any blueprint: their routes use its <id:...> converter.
    params.install(app)

    errors.register(app)
    app.register_blueprint(api.bp)
    ratelimit.protect(app, api.bp.name)
    app.register_blueprint(embed.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(read_api.bp)
    ratelimit.protect(app, read_api.bp.name, setting="RATELIMIT_READ_API")
    links.register(app)
    from .mail import pages as mail_pages

    app.register_blueprint(mail_pages.bp)

    import admin

    admin.register(app)
    security.install(app)
    privacy.install(app)
    db.init_app(app)
    return app


def _prepare_database(app: Flask) -> None:
    """Apply migrations and settle the signing keys with a short-lived
    connection, closed again so that no connection outlives a fork."""
    path = app.config["DB"]
    # A damaged file, or another program's database, stops the start here
    # (storage.UnusableDatabase) with what is wrong and how to restore.
    storage.check_usable(path)
    conn = storage.connect(path, app.config["BUSY_TIMEOUT"])
    try:
        storage.migrate(conn)
        keys = app.config["SECRET_KEY"]  # a list, parsed by settings.check
        if not keys:
            keys = [storage.get_or_create_secret_key(conn)]
    except sqlite3.DatabaseError as exc:
        if storage.is_damage(exc):
            raise storage.damaged(path, exc) from None
        raise
    finally:
        conn.close()
    app.config["SECRET_KEYS"] = keys
    # Flask's own signing (sessions, CSRF) uses the newest key and falls back
    # to the older ones, like our tokens.
    app.config["SECRET_KEY"] = keys[0]
    app.config["SECRET_KEY_FALLBACKS"] = keys[1:]
