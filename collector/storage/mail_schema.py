"""The schema of mail and follow-up ownership (migration 006_mail): who
follows a touchpoint's detractors up and by when, each user's mail choices,
the mail outbox, and the triggers that assign a detractor and queue its alerts.

This is a shipped migration's body: never edit it; change the schema with a
new migration.

Like the webhook events (webhook_schema), a detractor's alerts are written
by the very statement that stores the answer, whoever writes it, and the
statement stays one that the group commit sends alone. Its assignee and
deadline are columns of that statement (storage.mail.ASSIGNEE and DUE):
a trigger must not update the answer's own row, whose full-text index
entry its later triggers have not written yet.
Each mail has a unique key, one per user and event (alert:USER:ANSWER) or
per user and period (digest:USER:daily:DAY), so a mail can be queued any
number of times and exists once.
"""

from __future__ import annotations

import sqlite_utils

from ..timestamps import FORMAT
from .filters import CATEGORY_CLAUSES

_NOW = f"strftime('{FORMAT}', 'now')"
_EPOCH = "CAST(strftime('%s', 'now') AS INTEGER)"
_DETRACTOR = CATEGORY_CLAUSES["detractor"].replace("r.", "new.")
_WAS_DETRACTOR = CATEGORY_CLAUSES["detractor"].replace("r.", "old.")


# An alert of the detractor new.id for every user who wants one: alerts on,
# and the touchpoint chosen (none chosen: all) or owned. It waits for the
# comment (held) unless the answer has one already.
_QUEUE_ALERTS = f"""
    INSERT OR IGNORE INTO mail_outbox (key, kind, user_id, response_id, held, next_try_at, created_at)
    SELECT 'alert:' || u.id || ':' || new.id, 'alert', u.id, new.id, new.comment IS NULL, {_EPOCH}, {_NOW}
    FROM users u LEFT JOIN mail_preferences p ON p.user_id = u.id
    WHERE COALESCE(p.alerts, 1) = 1
      AND (COALESCE(p.touchpoints, '[]') = '[]'
           OR EXISTS (SELECT 1 FROM json_each(p.touchpoints) WHERE value = new.touchpoint_id)
           OR u.id = (SELECT owner_user_id FROM touchpoints WHERE id = new.touchpoint_id))
      AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.key = 'alert:' || u.id || ':' || new.id);
"""

# The comment came: the alerts that wait for it go now.
_RELEASE = """
    UPDATE mail_outbox SET held = 0
    WHERE response_id = new.id AND kind = 'alert' AND status = 'pending' AND held = 1;
"""


def create(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE touchpoints ADD COLUMN owner_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL")
    db.execute("ALTER TABLE touchpoints ADD COLUMN followup_hours INTEGER NOT NULL DEFAULT 48")
    db.execute("ALTER TABLE responses ADD COLUMN followup_assignee INTEGER REFERENCES users(id) ON DELETE SET NULL")
    db.execute("ALTER TABLE responses ADD COLUMN followup_due_at TEXT")
    # "Overdue" reads open detractors by deadline. The deadline's IS NOT NULL
    # keeps this index out of the plans that do not ask for a deadline (the
    # follow-up list's own index serves those).
    db.execute(
        "CREATE INDEX responses_open_due ON responses (followup_due_at, touchpoint_id)"
        " WHERE score <= 6 AND followup_status IS NULL AND followup_due_at IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX responses_assignee ON responses (followup_assignee, created_at, id)"
        " WHERE followup_assignee IS NOT NULL"
    )
    # A user without a row here has the defaults: every alert, a weekly digest, in English.
    db.execute(
        """
        CREATE TABLE mail_preferences (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            language TEXT NOT NULL DEFAULT 'en',
            alerts INTEGER NOT NULL DEFAULT 1,
            touchpoints TEXT NOT NULL DEFAULT '[]',
            digest TEXT NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'off'))
        )
        """
    )
    # status: pending, then sending (claimed: committed before the SMTP
    # conversation starts), then sent or failed; a claim that a crash
    # interrupted becomes interrupted, never sent again.
    db.execute(
        """
        CREATE TABLE mail_outbox (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('alert', 'digest')),
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            response_id INTEGER REFERENCES responses(id) ON DELETE CASCADE,
            body TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'interrupted', 'cancelled')),
            held INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try_at INTEGER NOT NULL,
            claimed_by TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX mail_outbox_due ON mail_outbox (next_try_at) WHERE status = 'pending'")
    db.execute("CREATE INDEX mail_outbox_response ON mail_outbox (response_id) WHERE response_id IS NOT NULL")
    db.execute("CREATE INDEX mail_outbox_user ON mail_outbox (user_id, id)")

    db.execute(
        f"CREATE TRIGGER mail_detractor_created AFTER INSERT ON responses WHEN {_DETRACTOR} BEGIN {_QUEUE_ALERTS} END"
    )
    # A score changed into a detractor's (a ref or a visitor answering again).
    db.execute(
        f"CREATE TRIGGER mail_detractor_updated AFTER UPDATE OF score ON responses "
        f"WHEN {_DETRACTOR} AND NOT ({_WAS_DETRACTOR}) "
        f"BEGIN {_QUEUE_ALERTS} END"
    )
    db.execute(
        "CREATE TRIGGER mail_comment_added AFTER UPDATE OF comment ON responses "
        f"WHEN new.comment IS NOT NULL AND old.comment IS NOT new.comment BEGIN {_RELEASE} END"
    )
