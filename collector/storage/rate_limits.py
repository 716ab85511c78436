"""Rate limit counters, shared by every worker through the database."""

from __future__ import annotations

import sqlite3

from .connection import writers_turn

# A counter whose window has ended starts again at 1; otherwise it counts on.
# One statement: atomic in autocommit mode, one short write per request.
_RATE_LIMIT_HIT = """
    INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES (:key, :now, 1, :now + :window)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN expires_at > :now THEN count + 1 ELSE 1 END,
        window_start = CASE WHEN expires_at > :now THEN window_start ELSE :now END,
        expires_at = CASE WHEN expires_at > :now THEN expires_at ELSE :now + :window END
    RETURNING count, expires_at
"""


def rate_limit_hit(conn: sqlite3.Connection, key: str, window_seconds: int, now: int) -> tuple[int, int]:
    """Count one hit on *key*; return (hits in the current window, the window's end)."""
    with writers_turn(conn):
        # A counter lost to a power cut costs nothing, so this commit skips
        # the fsync that answers get (synchronous=FULL): the WAL is synced by
        # the next answer's commit or checkpoint anyway.
        conn.execute("PRAGMA synchronous = NORMAL")
        try:
            row = conn.execute(_RATE_LIMIT_HIT, {"key": key, "now": now, "window": window_seconds}).fetchall()[0]
        finally:
            conn.execute("PRAGMA synchronous = FULL")
    return row[0], row[1]


def delete_expired_rate_limits(conn: sqlite3.Connection, now: int) -> int:
    """Delete counters whose window has ended; return how many."""
    with writers_turn(conn):
        return conn.execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,)).rowcount


def rate_limit_count(conn: sqlite3.Connection, key: str, now: int) -> int:
    """Return the hits counted on a rate limit *key* in its current window, without counting one.

    The login throttle looks before it counts: only failed logins are
    counted (with collector.ratelimit.hit), but every attempt is checked.
    """
    row = conn.execute("SELECT count FROM rate_limits WHERE key = ? AND expires_at > ?", (key, now)).fetchone()
    return row[0] if row else 0


def clear_rate_limit(conn: sqlite3.Connection, key: str) -> None:
    with writers_turn(conn):
        conn.execute("DELETE FROM rate_limits WHERE key = ?", (key,))
