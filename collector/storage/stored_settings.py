"""The settings table: values made once and shared by every worker (the secret key, above all)."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable


def get_or_create_setting(conn: sqlite3.Connection, key: str, make: Callable[[], str]) -> str:
    """Return a stored setting, storing *make()* first if it is missing.

    INSERT OR IGNORE then SELECT: when several workers start at once, the
    first insert wins and every worker reads that same value.
    """
    conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, make()))
    return conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0]


def get_setting(conn: sqlite3.Connection, key: str) -> str | None:
    """Return a stored setting, or None; never writes."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def get_or_create_secret_key(conn: sqlite3.Connection) -> str:
    """Return the database's own secret key, made once on first use."""
    return get_or_create_setting(conn, "secret_key", lambda: secrets.token_urlsafe(48))


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store a setting, replacing what was there."""
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
