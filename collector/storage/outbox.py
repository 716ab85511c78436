"""The outbox: webhook events waiting to be sent, each written by the statement that stores the answer it
tells of (triggers, see webhook_schema), and what came of sending them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..timestamps import utcnow
from .connection import from_row, transaction, writers_turn

RESPONSE_CREATED = "response.created"
RESPONSE_UPDATED = "response.updated"
FOLLOWUP_UPDATED = "followup.updated"
WEBHOOK_TEST = "webhook.test"
EVENT_TYPES = (RESPONSE_CREATED, RESPONSE_UPDATED, FOLLOWUP_UPDATED)


@dataclass(frozen=True)
class Delivery:
    id: int
    message_id: str
    endpoint_id: int
    response_id: int | None
    type: str
    body: str
    status: str
    held: bool
    attempts: int
    next_try_at: int
    last_status: int | None
    last_error: str | None
    created_at: str
    delivered_at: str | None


def due_deliveries(conn: sqlite3.Connection, now: int, hold_seconds: int, limit: int = 50) -> list[Delivery]:
    """The pending deliveries to active endpoints whose time has come, oldest
    first; a held alert once it has waited *hold_seconds*."""
    rows = conn.execute(
        """
        SELECT d.* FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_try_at <= :now AND e.paused = 0 AND e.disabled_reason IS NULL
          AND (d.held = 0 OR CAST(strftime('%s', d.created_at) AS INTEGER) <= :now - :hold)
        ORDER BY d.next_try_at, d.id
        LIMIT :limit
        """,
        {"now": now, "hold": hold_seconds, "limit": limit},
    ).fetchall()
    return [from_row(Delivery, row) for row in rows]


def skip_fsync_of_outcomes(conn: sqlite3.Connection) -> None:
    """Let the sender's commits (outcomes of tries) skip the fsync that an
    answer's commit waits for: they still survive a killed process, and
    after a power cut the few last outcomes lost mean those events are sent
    again, with the same webhook-id. The events themselves are written in
    their answers' commits, which stay fsynced."""
    conn.execute("PRAGMA synchronous=NORMAL")


def get_delivery(conn: sqlite3.Connection, delivery_id: int) -> Delivery | None:
    row = conn.execute("SELECT * FROM webhook_deliveries WHERE id = ?", (delivery_id,)).fetchone()
    return None if row is None else from_row(Delivery, row)


def recent_deliveries(conn: sqlite3.Connection, endpoint_id: int | None = None, limit: int = 50) -> list[Delivery]:
    """The latest deliveries, newest first (of one endpoint, or of all)."""
    if endpoint_id is None:
        rows = conn.execute("SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = conn.execute(
            "SELECT * FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id DESC LIMIT ?", (endpoint_id, limit)
        )
    return [from_row(Delivery, row) for row in rows]


def count_pending_deliveries(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'").fetchone()[0]


def queue_test_event(conn: sqlite3.Connection, endpoint_id: int, body: str, epoch: int) -> Delivery:
    """Store a webhook.test delivery to one endpoint (sent at once by the caller) and return it."""
    with transaction(conn):
        row = conn.execute(
            f"""
            INSERT INTO webhook_deliveries (message_id, endpoint_id, type, body, next_try_at, created_at)
            VALUES ('msg_' || lower(hex(randomblob(16))), ?, '{WEBHOOK_TEST}', ?, ?, ?)
            RETURNING *
            """,
            (endpoint_id, body, epoch, utcnow()),
        ).fetchone()
    return from_row(Delivery, row)


@dataclass(frozen=True)
class Attempt:
    """What came of one try: delivered, to be tried again at next_try_at, or (None) failed for good."""

    delivery_id: int
    delivered: bool
    status: int | None
    error: str | None
    next_try_at: int | None


def record_attempts(conn: sqlite3.Connection, attempts: list[Attempt]) -> None:
    """Record tries, all in one commit (the sender's batch: one fsync, not one each)."""
    now = utcnow()
    rows = [
        (
            "delivered" if a.delivered else "pending" if a.next_try_at is not None else "failed",
            a.status,
            a.error,
            a.next_try_at,
            int(a.delivered),
            now,
            a.delivery_id,
        )
        for a in attempts
    ]
    with transaction(conn):
        conn.executemany(
            """
            UPDATE webhook_deliveries
            SET attempts = attempts + 1, status = ?, last_status = ?, last_error = ?, held = 0,
                next_try_at = COALESCE(?, next_try_at), delivered_at = CASE WHEN ? THEN ? END
            WHERE id = ?
            """,
            rows,
        )


def record_attempt(
    conn: sqlite3.Connection,
    delivery_id: int,
    *,
    delivered: bool,
    status: int | None,
    error: str | None,
    next_try_at: int | None,
) -> None:
    """Record one try (see Attempt)."""
    record_attempts(conn, [Attempt(delivery_id, delivered, status, error, next_try_at)])


def resend_delivery(conn: sqlite3.Connection, delivery_id: int, epoch: int) -> bool:
    """Queue a delivery to be sent again at once, with the same webhook-id and a fresh set of tries."""
    with writers_turn(conn):
        cur = conn.execute(
            """
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, held = 0, next_try_at = ?,
                                          delivered_at = NULL
            WHERE id = ?
            """,
            (epoch, delivery_id),
        )
    return cur.rowcount == 1


def delete_deliveries_before(conn: sqlite3.Connection, before: str) -> int:
    """Forget the deliveries done (delivered or failed) before *before* (ISO time); return how many."""
    with writers_turn(conn):
        return conn.execute(
            "DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at < ?", (before,)
        ).rowcount
