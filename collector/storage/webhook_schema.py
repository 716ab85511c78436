"""The schema of webhooks (migration 005_webhooks): endpoints, the outbox of
deliveries, the lease table, and the triggers that queue an answer's events.

This is a shipped migration's body: never edit it; change the schema with a
new migration.

The events are queued by triggers on `responses`, so they are written by the
very statement that stores or changes the answer, in its commit: every
writer (the widget's, a survey link's, the admin's follow-up, whatever comes
later) queues them without a line of its own, the write stays one atomic
statement that the group commit sends without BEGIN and COMMIT round trips,
and with no endpoint the triggers' WHEN finds an empty table and does nothing.
"""

from __future__ import annotations

import sqlite_utils

from ..timestamps import FORMAT
from .filters import CATEGORY_NAME

# An answer as the export has it (r: responses, t: touchpoints).
_ANSWER_JSON = f"""json_object(
    'id', r.id, 'touchpoint', t.name, 'score', r.score, 'category', {CATEGORY_NAME},
    'comment', r.comment, 'ref', r.ref, 'channel', r.channel, 'locale', r.locale, 'page', r.page,
    'properties', json(r.properties), 'created_at', r.created_at, 'updated_at', r.updated_at,
    'followup', json_object('status', r.followup_status, 'note', r.followup_note,
                            'by', r.followup_by, 'at', r.followup_at)
)"""

# SQLite's strftime takes the same directives as Python's: the one stored form.
_NOW = f"strftime('{FORMAT}', 'now')"
_EPOCH = "CAST(strftime('%s', 'now') AS INTEGER)"
_ANY_ENDPOINT = "EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_reason IS NULL)"


def _fan_out(event: str, *, skip_held: bool = False) -> str:
    """Queue *event* of the answer new.id for every endpoint that wants it.
    A Slack endpoint's alert of a new answer is held for the comment that
    usually follows; with *skip_held*, an endpoint whose alert of this
    answer is still held gets the change in that alert instead (see _MERGE)."""
    held = (
        """AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.response_id = r.id
                              AND d.type = 'response.created' AND d.status = 'pending' AND d.held = 1)"""
        if skip_held
        else ""
    )
    return f"""
        INSERT INTO webhook_deliveries (message_id, endpoint_id, response_id, type, body, held, next_try_at,
                                        created_at)
        SELECT 'msg_' || lower(hex(randomblob(16))), e.id, r.id, '{event}',
               json_object('type', '{event}', 'timestamp', {_NOW}, 'data', {_ANSWER_JSON}),
               '{event}' = 'response.created' AND e.format = 'slack', {_EPOCH}, {_NOW}
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id, webhook_endpoints e
        WHERE r.id = new.id AND e.disabled_reason IS NULL
          AND (e.events = '[]' OR EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = '{event}'))
          AND (e.touchpoints = '[]' OR EXISTS (SELECT 1 FROM json_each(e.touchpoints) WHERE value = r.touchpoint_id))
          AND (e.categories = '[]' OR EXISTS (SELECT 1 FROM json_each(e.categories) WHERE value = {CATEGORY_NAME}))
          {held};
    """


# A change to an answer whose alert still waits goes out in that alert, at once.
_MERGE = f"""
    UPDATE webhook_deliveries
    SET body = json_set(body, '$.data', json((
            SELECT {_ANSWER_JSON} FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id WHERE r.id = new.id
        ))),
        held = 0, next_try_at = {_EPOCH}
    WHERE response_id = new.id AND type = 'response.created' AND status = 'pending' AND held = 1;
"""


def create(db: sqlite_utils.Database) -> None:
    # Endpoints with what they want: events, touchpoint ids and categories as
    # JSON lists, an empty list wanting every one.
    db.execute(
        """
        CREATE TABLE webhook_endpoints (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            format TEXT NOT NULL DEFAULT 'standard' CHECK (format IN ('standard', 'slack')),
            events TEXT NOT NULL DEFAULT '[]',
            touchpoints TEXT NOT NULL DEFAULT '[]',
            categories TEXT NOT NULL DEFAULT '[]',
            paused INTEGER NOT NULL DEFAULT 0,
            disabled_reason TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    # The outbox: one row per event and endpoint. Forgetting an answer
    # forgets its events (they hold its comment). held: a response.created
    # alert that waits for the comment (Slack).
    db.execute(
        """
        CREATE TABLE webhook_deliveries (
            id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL,  -- random, 128 bits: no index needed to keep it unique
            endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
            response_id INTEGER REFERENCES responses(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
            held INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try_at INTEGER NOT NULL,
            last_status INTEGER,
            last_error TEXT,
            created_at TEXT NOT NULL,
            delivered_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_try_at) WHERE status = 'pending'")
    db.execute("CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id)")
    db.execute("CREATE INDEX webhook_deliveries_response ON webhook_deliveries (response_id)")
    # Work that one process of all may do at a time, for as long as it renews its lease.
    db.execute("CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)")

    db.execute(
        f"CREATE TRIGGER webhook_response_created AFTER INSERT ON responses WHEN {_ANY_ENDPOINT} "
        f"BEGIN {_fan_out('response.created')} END"
    )
    # A comment added or the score changed (a ref or a visitor answering
    # again, a comment after the score), not the same answer sent twice.
    db.execute(
        "CREATE TRIGGER webhook_response_updated AFTER UPDATE OF score, comment ON responses "
        f"WHEN (old.score IS NOT new.score OR old.comment IS NOT new.comment) AND {_ANY_ENDPOINT} "
        f"BEGIN {_fan_out('response.updated', skip_held=True)} {_MERGE} END"
    )
    db.execute(
        "CREATE TRIGGER webhook_followup_updated AFTER UPDATE OF followup_status, followup_note, followup_at "
        f"ON responses WHEN {_ANY_ENDPOINT} "
        f"BEGIN {_fan_out('followup.updated')} END"
    )
