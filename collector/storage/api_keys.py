"""API keys for the links and read APIs: only their hashes are stored, with the scopes they grant."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..timestamps import utcnow
from .connection import transaction, writers_turn
from .touchpoints import DuplicateName


@dataclass
class ApiKey:
    id: int
    name: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None
    scopes: tuple[str, ...] = ("links",)


def insert_api_key(conn: sqlite3.Connection, name: str, key_hash: str, scopes: tuple[str, ...] = ("links",)) -> ApiKey:
    """Store a new key's hash and the scopes it grants; DuplicateName when an active key has that name."""
    with transaction(conn):
        taken = conn.execute("SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL", (name,)).fetchone()
        if taken:
            raise DuplicateName(name)
        cur = conn.execute(
            "INSERT INTO api_keys (name, key_hash, created_at, scopes) VALUES (?, ?, ?, ?)",
            (name, key_hash, utcnow(), " ".join(scopes)),
        )
        row = conn.execute("SELECT * FROM api_keys WHERE id = ?", (cur.lastrowid,)).fetchone()
    return _api_key(row)


def list_api_keys(conn: sqlite3.Connection) -> list[ApiKey]:
    return [_api_key(row) for row in conn.execute("SELECT * FROM api_keys ORDER BY id")]


def revoke_api_key(conn: sqlite3.Connection, name: str) -> bool:
    """Revoke the active key called *name*; False when there is none."""
    with writers_turn(conn):
        cur = conn.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (utcnow(), name))
    return cur.rowcount > 0


def use_api_key(conn: sqlite3.Connection, key_hash: str) -> ApiKey | None:
    """Return the active key with this hash, noting when it was last used; None if unknown or revoked."""
    with writers_turn(conn):
        row = conn.execute(
            "UPDATE api_keys SET last_used_at = ? WHERE key_hash = ? AND revoked_at IS NULL RETURNING *",
            (utcnow(), key_hash),
        ).fetchall()
    return _api_key(row[0]) if row else None


def _api_key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
        scopes=tuple(row["scopes"].split()),
    )
