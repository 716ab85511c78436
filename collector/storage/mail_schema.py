"""The schema of mail and follow-up ownership (migration 006_mail): who
follows a touchpoint's detractors up and by when, each user's mail choices,
and the mail outbox.

This is a shipped migration's body: never edit it; change the schema with a
new migration.

A detractor's assignee and deadline are columns of the statement that
stores the answer (storage.mail.assignee_sql and due_sql), not a trigger's
work: a trigger must not update the answer's own row, whose full-text entry
the later triggers have not written yet, and the answer stays one statement.
Its alerts cost the answer nothing: the sender finds new detractors by
their updated_at (storage.mail.queue_alerts). Each mail has a unique key,
one per user and event (alert:USER:ANSWER) or per user and period
(digest:USER:weekly:DAY), so a mail can be queued any number of times and
exists once.
"""

from __future__ import annotations

import sqlite_utils


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
    # held: an alert that waits for the comment (up to ANBEFAL_ALERT_DELAY).
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
