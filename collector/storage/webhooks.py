"""Webhook endpoints (where events go, and which they want) and the leases of work one process does for all."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from ..timestamps import utcnow
from .connection import transaction, writers_turn


@dataclass(frozen=True)
class WebhookEndpoint:
    id: int
    url: str
    secret: str
    format: str  # standard or slack
    events: list[str]  # empty: every event
    touchpoints: list[int]  # touchpoint ids; empty: every touchpoint
    categories: list[str]  # empty: every category
    paused: bool
    disabled_reason: str | None
    created_at: str

    @property
    def active(self) -> bool:
        return not self.paused and self.disabled_reason is None


def _endpoint(row: sqlite3.Row) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row["id"],
        url=row["url"],
        secret=row["secret"],
        format=row["format"],
        events=json.loads(row["events"]),
        touchpoints=json.loads(row["touchpoints"]),
        categories=json.loads(row["categories"]),
        paused=bool(row["paused"]),
        disabled_reason=row["disabled_reason"],
        created_at=row["created_at"],
    )


def insert_webhook_endpoint(
    conn: sqlite3.Connection,
    url: str,
    secret: str,
    *,
    format: str = "standard",
    events: list[str] | None = None,
    touchpoints: list[int] | None = None,
    categories: list[str] | None = None,
) -> int:
    """Store an endpoint and return its id."""
    with transaction(conn):
        cur = conn.execute(
            """
            INSERT INTO webhook_endpoints (url, secret, format, events, touchpoints, categories, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            (
                url,
                secret,
                format,
                json.dumps(sorted(set(events or []))),
                json.dumps(sorted(set(touchpoints or []))),
                json.dumps(sorted(set(categories or []))),
                utcnow(),
            ),
        )
    assert cur.lastrowid is not None
    return cur.lastrowid


def list_webhook_endpoints(conn: sqlite3.Connection) -> list[WebhookEndpoint]:
    return [_endpoint(row) for row in conn.execute("SELECT * FROM webhook_endpoints ORDER BY id")]


def get_webhook_endpoint(conn: sqlite3.Connection, endpoint_id: int) -> WebhookEndpoint | None:
    row = conn.execute("SELECT * FROM webhook_endpoints WHERE id = ?", (endpoint_id,)).fetchone()
    return None if row is None else _endpoint(row)


def delete_webhook_endpoint(conn: sqlite3.Connection, endpoint_id: int) -> bool:
    """Remove an endpoint and its deliveries; False when there is none."""
    with transaction(conn):
        return conn.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,)).rowcount == 1


def pause_webhook_endpoint(conn: sqlite3.Connection, endpoint_id: int, paused: bool) -> bool:
    """Pause an endpoint, or resume it (which also enables one that was disabled); False when there is none."""
    with writers_turn(conn):
        cur = conn.execute(
            """
            UPDATE webhook_endpoints
            SET paused = ?, disabled_reason = CASE WHEN ? THEN disabled_reason END
            WHERE id = ?
            """,
            (int(paused), int(paused), endpoint_id),
        )
    return cur.rowcount == 1


def disable_webhook_endpoint(conn: sqlite3.Connection, endpoint_id: int, reason: str) -> None:
    """Stop queueing and sending to an endpoint (its receiver said it is gone), saying why."""
    with writers_turn(conn):
        conn.execute("UPDATE webhook_endpoints SET disabled_reason = ? WHERE id = ?", (reason, endpoint_id))


def claim_lease(
    conn: sqlite3.Connection, name: str, holder: str, now: int, seconds: int, *, take_from: str | None = None
) -> bool:
    """Take or renew the lease *name* for *holder* until *now* + *seconds*;
    True when *holder* has it (it was free, expired, its own already, or
    held by *take_from*, a holder known to be gone)."""
    with writers_turn(conn):
        rows = conn.execute(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (:name, :holder, :until)
            ON CONFLICT (name) DO UPDATE SET holder = :holder, expires_at = :until
            WHERE leases.holder IN (:holder, :gone) OR leases.expires_at <= :now
            RETURNING holder
            """,
            {"name": name, "holder": holder, "until": now + seconds, "now": now, "gone": take_from},
        ).fetchall()
    return bool(rows)


def lease_holder(conn: sqlite3.Connection, name: str) -> str | None:
    """Who holds the lease *name* (it may have expired); None when nobody."""
    row = conn.execute("SELECT holder FROM leases WHERE name = ?", (name,)).fetchone()
    return None if row is None else row[0]


def release_lease(conn: sqlite3.Connection, name: str, holder: str) -> None:
    """Give the lease up at once, so that another process need not wait for it to expire."""
    with writers_turn(conn):
        conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
