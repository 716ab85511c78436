"""Mail: each user's choices, the mail outbox (see mail_schema), and who
follows a detractor up by when."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .. import nps
from ..timestamps import FORMAT, format_utc, utcnow
from .connection import from_row, transaction, writers_turn
from .filters import FOLLOWUP_CLAUSES, ResponseFilter, where_sql
from .reports import open_detractors_by_touchpoint

DIGESTS = ("weekly", "daily", "off")


def assignee_sql(score: str, touchpoint: str) -> str:
    """SQL for a new answer's follow-up assignee: its touchpoint's owner, when the answer is a detractor's."""
    return (
        f"CASE WHEN {score} <= {nps.DETRACTOR_MAX}"
        f" THEN (SELECT owner_user_id FROM touchpoints WHERE id = {touchpoint}) END"
    )


def due_sql(score: str, touchpoint: str, since: str) -> str:
    """SQL for a new answer's follow-up deadline: its touchpoint's followup_hours after *since*, for a detractor."""
    return (
        f"CASE WHEN {score} <= {nps.DETRACTOR_MAX} THEN (SELECT strftime('{FORMAT}', {since},"
        f" '+' || followup_hours || ' hours') FROM touchpoints WHERE id = {touchpoint}) END"
    )


@dataclass(frozen=True)
class MailPreferences:
    user_id: int
    email: str
    language: str = "en"
    alerts: bool = True
    touchpoints: list[int] = field(default_factory=list)  # empty: every touchpoint
    digest: str = "weekly"


_PREFERENCES = """
    SELECT u.id, u.email, COALESCE(p.language, 'en'), COALESCE(p.alerts, 1), COALESCE(p.touchpoints, '[]'),
           COALESCE(p.digest, 'weekly')
    FROM users u LEFT JOIN mail_preferences p ON p.user_id = u.id
"""


def _preferences(row: sqlite3.Row) -> MailPreferences:
    return MailPreferences(row[0], row[1], row[2], bool(row[3]), json.loads(row[4]), row[5])


def mail_preferences(conn: sqlite3.Connection, user_id: int) -> MailPreferences | None:
    row = conn.execute(f"{_PREFERENCES} WHERE u.id = ?", (user_id,)).fetchone()
    return None if row is None else _preferences(row)


def list_mail_preferences(conn: sqlite3.Connection) -> list[MailPreferences]:
    return [_preferences(row) for row in conn.execute(f"{_PREFERENCES} ORDER BY u.email")]


def set_mail_preferences(conn: sqlite3.Connection, user_id: int, **changes: Any) -> MailPreferences | None:
    """Change some of a user's choices (language, alerts, touchpoints, digest); None when the user is gone."""
    current = mail_preferences(conn, user_id)
    if current is None:
        return None
    unknown = set(changes) - {"language", "alerts", "touchpoints", "digest"}
    if unknown:
        raise TypeError(f"unknown mail choices: {sorted(unknown)}")
    values = {
        "language": changes.get("language", current.language),
        "alerts": int(changes.get("alerts", current.alerts)),
        "touchpoints": json.dumps(sorted(set(changes.get("touchpoints", current.touchpoints)))),
        "digest": changes.get("digest", current.digest),
    }
    with writers_turn(conn):
        conn.execute(
            """
            INSERT INTO mail_preferences (user_id, language, alerts, touchpoints, digest)
            VALUES (:user, :language, :alerts, :touchpoints, :digest)
            ON CONFLICT (user_id) DO UPDATE SET language = :language, alerts = :alerts,
                                                touchpoints = :touchpoints, digest = :digest
            """,
            {"user": user_id, **values},
        )
    return mail_preferences(conn, user_id)


# -- the outbox


@dataclass(frozen=True)
class Mail:
    id: int
    key: str
    kind: str  # alert or digest
    user_id: int
    response_id: int | None
    body: str  # a digest: its period, as JSON
    status: str
    held: bool
    attempts: int
    next_try_at: int
    claimed_by: str | None
    last_error: str | None
    created_at: str
    sent_at: str | None


def due_mail(conn: sqlite3.Connection, now: int, hold_seconds: int, limit: int = 20) -> list[Mail]:
    """The pending mails whose time has come, oldest first; an alert held for
    its comment once the comment is there or the answer is *hold_seconds* old."""
    rows = conn.execute(
        """
        SELECT m.* FROM mail_outbox m LEFT JOIN responses r ON r.id = m.response_id
        WHERE m.status = 'pending' AND m.next_try_at <= :now
          AND (m.held = 0 OR r.comment IS NOT NULL OR CAST(strftime('%s', r.updated_at) AS INTEGER) <= :now - :hold)
        ORDER BY m.next_try_at, m.id LIMIT :limit
        """,
        {"now": now, "hold": hold_seconds, "limit": limit},
    ).fetchall()
    return [from_row(Mail, row) for row in rows]


# The answers changed within this many seconds before the last look are
# looked at again: an answer's updated_at is taken before its commit, which
# may come a little later, after a look that missed it.
ALERT_LOOKBACK = 60
_SCANNED_TO = "mail_alerts_scanned_to"

# The (user, answer) pairs that want an alert and have none yet: detractors
# changed since :since, for every user with alerts on who chose the
# touchpoint (none chosen: all) or follows it up.
_WANTED_ALERTS = f"""
    SELECT u.id AS user_id, r.id AS response_id
    FROM responses r INDEXED BY responses_updated
    JOIN touchpoints t ON t.id = r.touchpoint_id
    JOIN users u
    LEFT JOIN mail_preferences p ON p.user_id = u.id
    WHERE r.updated_at >= :since AND r.score <= {nps.DETRACTOR_MAX}
      AND COALESCE(p.alerts, 1) = 1
      AND (COALESCE(p.touchpoints, '[]') = '[]' OR u.id = t.owner_user_id
           OR EXISTS (SELECT 1 FROM json_each(p.touchpoints) WHERE value = r.touchpoint_id))
      AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.key = 'alert:' || u.id || ':' || r.id)
"""


def queue_alerts(conn: sqlite3.Connection, now: datetime, *, mail_on: bool = True) -> int:
    """Queue an alert of every detractor answered (or changed into one) since
    the last look, held for its comment; return how many. Without mail, only
    the look is recorded, so that turning mail on does not alert the past.
    Most looks find nothing and write nothing."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (_SCANNED_TO,)).fetchone()
    stamp = format_utc(now)
    last = row[0] if row else format_utc(now - timedelta(seconds=ALERT_LOOKBACK))
    since = format_utc(datetime.strptime(last, FORMAT).replace(tzinfo=UTC) - timedelta(seconds=ALERT_LOOKBACK))
    wanted = conn.execute(_WANTED_ALERTS, {"since": since}).fetchall() if mail_on else []
    if not wanted and row is not None and last > format_utc(now - timedelta(seconds=ALERT_LOOKBACK)):
        return 0
    with transaction(conn):
        queued = 0
        if wanted:
            queued = conn.execute(
                f"""
                INSERT INTO mail_outbox (key, kind, user_id, response_id, held, next_try_at, created_at)
                SELECT 'alert:' || user_id || ':' || response_id, 'alert', user_id, response_id, 1, :epoch, :stamp
                FROM ({_WANTED_ALERTS}) WHERE true
                ON CONFLICT (key) DO NOTHING
                """,
                {"since": since, "epoch": int(now.timestamp()), "stamp": stamp},
            ).rowcount
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_SCANNED_TO, stamp),
        )
    return queued


def get_mail(conn: sqlite3.Connection, mail_id: int) -> Mail | None:
    row = conn.execute("SELECT * FROM mail_outbox WHERE id = ?", (mail_id,)).fetchone()
    return None if row is None else from_row(Mail, row)


def list_mail(conn: sqlite3.Connection, user_id: int | None = None, limit: int = 50) -> list[Mail]:
    """The latest mails, newest first (of one user, or of all)."""
    where, params = ("WHERE user_id = ?", [user_id]) if user_id is not None else ("", [])
    rows = conn.execute(f"SELECT * FROM mail_outbox {where} ORDER BY id DESC LIMIT ?", [*params, limit])
    return [from_row(Mail, row) for row in rows]


def queue_mail(
    conn: sqlite3.Connection, key: str, kind: str, user_id: int, *, response_id: int | None = None, body: str = "{}"
) -> Mail | None:
    """Queue a mail under its unique *key* and return it; None when that key was queued already."""
    with writers_turn(conn):
        row = conn.execute(
            """
            INSERT INTO mail_outbox (key, kind, user_id, response_id, body, next_try_at, created_at)
            VALUES (?, ?, ?, ?, ?, CAST(strftime('%s', 'now') AS INTEGER), ?)
            ON CONFLICT (key) DO NOTHING
            RETURNING *
            """,
            (key, kind, user_id, response_id, body, utcnow()),
        ).fetchone()
    return None if row is None else from_row(Mail, row)


def claim_mail(conn: sqlite3.Connection, mail_id: int, holder: str) -> bool:
    """Mark a pending mail as being sent by *holder*, committed before it is
    sent: from here on it is never sent again, whatever happens to *holder*."""
    with writers_turn(conn):
        cur = conn.execute(
            "UPDATE mail_outbox SET status = 'sending', claimed_by = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            (holder, mail_id),
        )
    return cur.rowcount == 1


def record_mail(
    conn: sqlite3.Connection, mail_id: int, status: str, *, error: str | None = None, next_try_at: int | None = None
) -> None:
    """Record what came of sending a claimed mail: sent, failed, cancelled, or pending again at *next_try_at*."""
    with writers_turn(conn):
        conn.execute(
            """
            UPDATE mail_outbox SET status = ?, last_error = ?, next_try_at = COALESCE(?, next_try_at), held = 0,
                                   sent_at = CASE WHEN ? = 'sent' THEN ? END
            WHERE id = ?
            """,
            (status, error, next_try_at, status, utcnow(), mail_id),
        )


def settle_interrupted_mail(conn: sqlite3.Connection, holder: str) -> int:
    """Mark the mails that another sender claimed and never recorded (it was
    killed, or lost its lease) as interrupted: they may have gone out, so
    they are not sent again. Return how many."""
    with writers_turn(conn):
        return conn.execute(
            "UPDATE mail_outbox SET status = 'interrupted',"
            " last_error = 'the sender stopped while sending it; it may or may not have arrived'"
            " WHERE status = 'sending' AND claimed_by IS NOT ?",
            (holder,),
        ).rowcount


def fail_due_mail(conn: sqlite3.Connection, now: int, reason: str) -> int:
    """Give up the pending mails whose time has come, saying why (mail is off); return how many."""
    with writers_turn(conn):
        return conn.execute(
            "UPDATE mail_outbox SET status = 'failed', last_error = ? WHERE status = 'pending' AND next_try_at <= ?",
            (reason, now),
        ).rowcount


def delete_mail_before(conn: sqlite3.Connection, before: str) -> int:
    """Forget the mails done with (sent, failed, interrupted, cancelled) queued before *before*; return how many.
    Their keys go with them, which is safe: an answer that old is past every look for new detractors."""
    with writers_turn(conn):
        return conn.execute(
            "DELETE FROM mail_outbox WHERE status NOT IN ('pending', 'sending') AND created_at < ?", (before,)
        ).rowcount


def count_mail(conn: sqlite3.Connection) -> dict[str, int]:
    """The number of mails in each status."""
    return dict(conn.execute("SELECT status, COUNT(*) FROM mail_outbox GROUP BY status").fetchall())


# -- follow-up owners and deadlines


def set_followup_assignee(conn: sqlite3.Connection, response_id: int, user_id: int | None) -> bool:
    """Hand an answer's follow-up to *user_id* (None: nobody); the new
    assignee gets its alert at once, unless they turned alerts off. False when the answer is gone."""
    with transaction(conn):
        cur = conn.execute("UPDATE responses SET followup_assignee = ? WHERE id = ?", (user_id, response_id))
        if cur.rowcount != 1:
            return False
        if user_id is not None:
            conn.execute(
                """
                INSERT INTO mail_outbox (key, kind, user_id, response_id, next_try_at, created_at)
                SELECT 'alert:' || :user || ':' || :response, 'alert', :user, :response,
                       CAST(strftime('%s', 'now') AS INTEGER), :now
                WHERE COALESCE((SELECT alerts FROM mail_preferences WHERE user_id = :user), 1) = 1
                ON CONFLICT (key) DO NOTHING
                """,
                {"user": user_id, "response": response_id, "now": utcnow()},
            )
    return True


def overdue_by_touchpoint(
    conn: sqlite3.Connection,
    now: str,
    flt: ResponseFilter | None = None,
    open_counts: dict[int, int] | None = None,
) -> dict[int, int]:
    """Return {touchpoint_id: open detractors whose follow-up was due before *now*}.

    Every open detractor of a period is overdue but the few not due yet and
    those without a deadline: the open ones come from the per-day counts
    (reports.open_detractors_by_touchpoint; *open_counts* when the caller has
    them for the same *flt*), so this costs the same at ten million answers
    as at a thousand, and only the few are read."""
    flt = flt or ResponseFilter()
    found = dict(open_counts) if open_counts is not None else open_detractors_by_touchpoint(conn, flt)
    clauses, params = flt.where()
    clauses.append(FOLLOWUP_CLAUSES["open"])
    where = where_sql(clauses)
    rows = conn.execute(
        f"""SELECT touchpoint_id, COUNT(*) FROM (
                SELECT r.touchpoint_id FROM responses r INDEXED BY responses_open_due
                {where} AND r.followup_due_at >= ?
                UNION ALL
                SELECT r.touchpoint_id FROM responses r INDEXED BY responses_open_undated
                {where} AND r.followup_due_at IS NULL
            ) GROUP BY touchpoint_id""",
        [*params, now, *params],
    )
    for tp_id, count in rows:
        found[tp_id] = found.get(tp_id, 0) - count
    return {tp_id: count for tp_id, count in found.items() if count}


def set_touchpoint_followup(
    conn: sqlite3.Connection, touchpoint_id: int, *, owner_user_id: int | None | str = "keep", hours: int | None = None
) -> bool:
    """Set who follows a touchpoint's new detractors up ("keep": unchanged) and
    within how many hours; False when the touchpoint is gone."""
    with writers_turn(conn):
        cur = conn.execute(
            """
            UPDATE touchpoints SET owner_user_id = CASE WHEN :keep THEN owner_user_id ELSE :owner END,
                                   followup_hours = COALESCE(:hours, followup_hours)
            WHERE id = :id
            """,
            {
                "keep": owner_user_id == "keep",
                "owner": None if owner_user_id == "keep" else owner_user_id,
                "hours": hours,
                "id": touchpoint_id,
            },
        )
    return cur.rowcount == 1
