"""Admin users and their logins."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..timestamps import format_utc, utcnow
from .connection import transaction, writers_turn


class DuplicateUser(ValueError):
    """A user with that email exists already."""


@dataclass
class User:
    id: int
    email: str
    password_hash: str
    created_at: str
    last_login_at: str | None


def insert_user(conn: sqlite3.Connection, email: str, password_hash: str) -> User:
    """Create an admin user; emails are unique regardless of case."""
    try:
        with writers_turn(conn):
            cur = conn.execute(
                "INSERT INTO users (email, password_hash, created_at) VALUES (?, ?, ?)",
                (email, password_hash, utcnow()),
            )
    except sqlite3.IntegrityError as exc:
        raise DuplicateUser(email) from exc
    user = get_user(conn, cur.lastrowid)
    assert user is not None
    return user


def set_user_password(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    """Replace a user's password and end every session of theirs."""
    with transaction(conn):
        conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
        conn.execute("DELETE FROM admin_sessions WHERE user_id = ?", (user_id,))


def get_user(conn: sqlite3.Connection, user_id: int) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return User(**dict(row)) if row else None


def get_user_by_email(conn: sqlite3.Connection, email: str) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
    return User(**dict(row)) if row else None


def list_users(conn: sqlite3.Connection) -> list[User]:
    return [User(**dict(row)) for row in conn.execute("SELECT * FROM users ORDER BY email")]


def delete_user(conn: sqlite3.Connection, email: str) -> bool:
    """Remove a user (and with it their sessions); False when there is none."""
    with writers_turn(conn):
        cur = conn.execute("DELETE FROM users WHERE email = ?", (email,))
    return cur.rowcount == 1


def start_admin_session(conn: sqlite3.Connection, token_hash: str, user_id: int, lifetime_seconds: int) -> None:
    """Record a new login, note it on the user and drop sessions that have expired."""
    now = datetime.now(UTC)
    expires = format_utc(now + timedelta(seconds=lifetime_seconds))
    stamp = format_utc(now)
    with transaction(conn):
        conn.execute("DELETE FROM admin_sessions WHERE expires_at <= ?", (stamp,))
        conn.execute(
            "INSERT INTO admin_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token_hash, user_id, stamp, expires),
        )
        conn.execute("UPDATE users SET last_login_at = ? WHERE id = ?", (stamp, user_id))


def user_for_admin_session(conn: sqlite3.Connection, token_hash: str) -> User | None:
    """Return the user logged in with this session, or None when it is unknown or expired."""
    row = conn.execute(
        """
        SELECT u.* FROM admin_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ? AND s.expires_at > ?
        """,
        (token_hash, utcnow()),
    ).fetchone()
    return User(**dict(row)) if row else None


def end_admin_session(conn: sqlite3.Connection, token_hash: str) -> None:
    with writers_turn(conn):
        conn.execute("DELETE FROM admin_sessions WHERE token_hash = ?", (token_hash,))
