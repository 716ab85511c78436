"""Visitors: the daily salts that hash them, and forgetting who gave an answer."""

from __future__ import annotations

import secrets
import sqlite3

from .connection import transaction, writers_turn
from .stored_settings import get_or_create_setting


def get_or_create_visitor_salt(conn: sqlite3.Connection, day: str, oldest_kept_day: str) -> str:
    """Return the visitor salt of *day* (made at random on first use), and
    delete the salts of days before *oldest_kept_day*."""
    with transaction(conn):
        salt = get_or_create_setting(conn, f"visitor_salt:{day}", lambda: secrets.token_urlsafe(32))
        delete_visitor_salts_before(conn, oldest_kept_day)
    return salt


def delete_visitor_salts_before(conn: sqlite3.Connection, day: str) -> int:
    """Delete the visitor salts of days before *day* (YYYY-MM-DD); return how many."""
    with writers_turn(conn):
        return conn.execute(
            "DELETE FROM settings WHERE key LIKE 'visitor\\_salt:%' ESCAPE '\\' AND key < ?",
            (f"visitor_salt:{day}",),
        ).rowcount


def clear_visitors_before(conn: sqlite3.Connection, before: str) -> int:
    """Forget which visitor gave the answers last changed before *before*; return how many."""
    with writers_turn(conn):
        return conn.execute(
            "UPDATE responses SET visitor = NULL WHERE visitor IS NOT NULL AND updated_at < ?", (before,)
        ).rowcount
