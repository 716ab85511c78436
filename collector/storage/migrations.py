"""The schema, as a list of named migrations applied in order at start.

Each migration runs once, inside one transaction with the others still
pending, and is recorded by name in _migrations, so starting several
workers at once (or an older database) is safe. Append a new migration at the
end with a new name; never edit or reorder one that has shipped: databases
out there have run it as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from ..timestamps import utcnow
from . import (
    driver_schema,
    mail_schema,
    open_days,
    property_days,
    property_pairs,
    property_sets,
    rollups,
    themes,
    webhook_schema,
)
from .connection import transaction

Migration = Callable[[sqlite_utils.Database], None]

# (name, step) in the order they run.
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(name: str) -> Callable[[Migration], Migration]:
    """Register the decorated function as the next migration, called *name*."""

    def register(step: Migration) -> Migration:
        if any(name == known for known, _ in MIGRATIONS):
            raise ValueError(f"two migrations are called {name}")
        MIGRATIONS.append((name, step))
        return step

    return register


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations and return their names; safe to run from several processes at once."""
    db = sqlite_utils.Database(conn)
    applied_now = []
    with transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(db)
            conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, utcnow()))
            applied_now.append(name)
    return applied_now


@migration("001_initial")
def initial(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # AUTOINCREMENT: a deleted touchpoint's id is never reused, so an old
    # snippet can never start feeding a newer touchpoint.
    db.execute(
        """
        CREATE TABLE touchpoints (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            question TEXT,
            language TEXT,
            origins TEXT NOT NULL DEFAULT '[]',
            target_nps INTEGER,
            sample_rate REAL NOT NULL DEFAULT 1.0,
            repeat_days INTEGER NOT NULL DEFAULT 90,
            followup_detractor TEXT,
            followup_passive TEXT,
            followup_promoter TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            touchpoint_id INTEGER NOT NULL REFERENCES touchpoints(id) ON DELETE CASCADE,
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
            comment TEXT,
            ref TEXT,
            channel TEXT NOT NULL DEFAULT 'widget',
            locale TEXT,
            page TEXT,
            properties TEXT NOT NULL DEFAULT '{}',
            visitor TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            followup_status TEXT,
            followup_note TEXT,
            followup_by TEXT,
            followup_at TEXT
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX responses_touchpoint_ref ON responses (touchpoint_id, ref) WHERE ref IS NOT NULL")
    db.execute("CREATE INDEX responses_touchpoint_created ON responses (touchpoint_id, created_at)")
    db.execute("CREATE INDEX responses_created ON responses (created_at)")
    db.execute(
        "CREATE INDEX responses_visitor ON responses (touchpoint_id, visitor, created_at) WHERE visitor IS NOT NULL"
    )
    db["responses"].enable_fts(["comment"], create_triggers=True, tokenize="unicode61")
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_login_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE api_keys (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE rate_limits (
            key TEXT PRIMARY KEY,
            window_start INTEGER NOT NULL,
            count INTEGER NOT NULL
        )
        """
    )


# The overview's figures. response_days keeps the number of answers per day,
# touchpoint, channel and score, kept up to date by triggers on responses (so
# it is right whoever inserts, amends or deletes an answer): the overview adds
# up a few thousand of its rows instead of scanning a million answers. Only
# filters on properties need the answers themselves.


@migration("003_admin_response_days")
def response_days(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE response_days (
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            score INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (day, touchpoint_id, channel, score)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        INSERT INTO response_days (day, touchpoint_id, channel, score, n)
        SELECT substr(created_at, 1, 10), touchpoint_id, channel, score, COUNT(*)
        FROM responses GROUP BY 1, 2, 3, 4
        """
    )
    increment = """
        INSERT INTO response_days (day, touchpoint_id, channel, score, n)
        VALUES (substr(new.created_at, 1, 10), new.touchpoint_id, new.channel, new.score, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    """
    decrement = """
        UPDATE response_days SET n = n - 1
        WHERE day = substr(old.created_at, 1, 10) AND touchpoint_id = old.touchpoint_id
          AND channel = old.channel AND score = old.score;
    """
    db.execute(f"CREATE TRIGGER response_days_insert AFTER INSERT ON responses BEGIN {increment} END")
    db.execute(f"CREATE TRIGGER response_days_delete AFTER DELETE ON responses BEGIN {decrement} END")
    db.execute(
        "CREATE TRIGGER response_days_update AFTER UPDATE OF score, channel, created_at, touchpoint_id ON responses "
        f"BEGIN {decrement} {increment} END"
    )


@migration("003_admin_sessions")
def admin_sessions(db: sqlite_utils.Database) -> None:
    # A login is a row here; the browser's cookie holds only a random token
    # whose SHA-256 is the key, so a copy of the database logs nobody in.
    # Logging out (or removing the user) ends the session on every worker.
    db.execute(
        """
        CREATE TABLE admin_sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX admin_sessions_expires ON admin_sessions (expires_at)")


@migration("003_admin_comment_indexes")
def comment_indexes(db: sqlite_utils.Database) -> None:
    # Partial indexes in the order the pages read: the comments page walks
    # only responses with a comment, the follow-up view only detractors nobody
    # has followed up yet, both newest first, a page at a time.
    db.execute("CREATE INDEX responses_commented ON responses (created_at, id) WHERE comment IS NOT NULL")
    db.execute(
        "CREATE INDEX responses_open_detractors ON responses (created_at, id)"
        " WHERE score <= 6 AND followup_status IS NULL"
    )
    db.execute(
        "CREATE INDEX responses_followed_up ON responses (followup_status, created_at, id)"
        " WHERE followup_status IS NOT NULL"
    )


@migration("003_admin_open_detractors_by_touchpoint")
def open_detractors_by_touchpoint(db: sqlite_utils.Database) -> None:
    # The overview counts open detractors per touchpoint (and channel) over a
    # date range: with these columns in the index it never reads the rows.
    db.execute(
        "CREATE INDEX responses_open_detractors_by_touchpoint ON responses (created_at, touchpoint_id, channel)"
        " WHERE score <= 6 AND followup_status IS NULL"
    )


@migration("004_abuse_rate_limit_expiry")
def rate_limit_expiry(db: sqlite_utils.Database) -> None:
    # Each counter knows when its window ends, so one DELETE clears every
    # expired counter whatever window its limit uses.
    db.execute("ALTER TABLE rate_limits ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0")


@migration("005_api_key_scopes")
def api_key_scopes(db: sqlite_utils.Database) -> None:
    # What a key may do, as names separated by spaces (OAuth's way); the keys
    # made before scopes existed could only make links, and still can.
    db.execute("ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'links'")


@migration("005_read_api_updated_indexes")
def read_api_updated_indexes(db: sqlite_utils.Database) -> None:
    # The read API's incremental pulls select answers changed (or followed up)
    # since a moment: each side of that OR has an index of its own.
    db.execute("CREATE INDEX responses_updated ON responses (updated_at)")
    db.execute("CREATE INDEX responses_followup_at ON responses (followup_at) WHERE followup_at IS NOT NULL")


@migration("005_webhooks")
def webhooks(db: sqlite_utils.Database) -> None:
    # Endpoints, the outbox and the triggers that fill it: see webhook_schema.
    webhook_schema.create(db)


@migration("006_mail")
def mail(db: sqlite_utils.Database) -> None:
    # Follow-up owners and deadlines, mail choices, the mail outbox: see mail_schema.
    mail_schema.create(db)


@migration("007_drivers")
def drivers(db: sqlite_utils.Database) -> None:
    # Driver ratings and the action matrix's sums: see driver_schema.
    driver_schema.create(db)


@migration("008_reach")
def reach(db: sqlite_utils.Database) -> None:
    # Per touchpoint and day, how often the widget was shown, closed without
    # an answer, and its next step followed: counters, never a row per
    # visitor. Answers are counted by response_days already.
    db.execute(
        """
        CREATE TABLE reach_days (
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL REFERENCES touchpoints(id) ON DELETE CASCADE,
            shown INTEGER NOT NULL DEFAULT 0,
            dismissed INTEGER NOT NULL DEFAULT 0,
            clicked INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, touchpoint_id)
        ) WITHOUT ROWID
        """
    )
    # A verified customer's last answer or dismissal, under a keyed hash of
    # the shop's customer id: the widget stays away for the quiet days.
    db.execute(
        """
        CREATE TABLE customer_quiet (
            customer_hash TEXT PRIMARY KEY,
            last_at TEXT NOT NULL
        ) WITHOUT ROWID
        """
    )
    db.execute("ALTER TABLE responses ADD COLUMN verified INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE touchpoints ADD COLUMN require_verified INTEGER NOT NULL DEFAULT 0")
    for category in ("detractor", "passive", "promoter"):
        db.execute(f"ALTER TABLE touchpoints ADD COLUMN next_{category}_text TEXT")
        db.execute(f"ALTER TABLE touchpoints ADD COLUMN next_{category}_url TEXT")


@migration("009_property_days")
def response_property_days(db: sqlite_utils.Database) -> None:
    # Per-day counts by property value, kept by triggers: see property_days.
    # An upgraded database counts its answers once, here, with a progress line.
    property_days.create(db)


@migration("010_touchpoint_sender")
def touchpoint_sender(db: sqlite_utils.Database) -> None:
    # Who is asking, on the survey link page (collector.links.sender): a
    # name, a logo and a brand colour, and a scale coloured by category only
    # when the touchpoint asks for it.
    db.execute("ALTER TABLE touchpoints ADD COLUMN sender_name TEXT")
    db.execute("ALTER TABLE touchpoints ADD COLUMN logo_url TEXT")
    db.execute("ALTER TABLE touchpoints ADD COLUMN brand_colour TEXT")
    db.execute("ALTER TABLE touchpoints ADD COLUMN coloured_scale INTEGER NOT NULL DEFAULT 0")


@migration("011_touchpoint_look")
def touchpoint_look(db: sqlite_utils.Database) -> None:
    # Where the widget shows and how it looks (collector.look); NULL: the widget's own.
    for column, kind in (
        ("widget_position", "TEXT"),
        ("accent_colour", "TEXT"),
        ("text_colour", "TEXT"),
        ("font_family", "TEXT"),
        ("corner_radius", "INTEGER"),
    ):
        db.execute(f"ALTER TABLE touchpoints ADD COLUMN {column} {kind}")


@migration("012_themes")
def comment_terms(db: sqlite_utils.Database) -> None:
    # Each comment's words, stemmed, for the themes (see storage.themes);
    # comments stored before are done now, a batch at a time, with a line
    # on standard error saying how far it is.
    themes.create(db.conn)
    themes.rebuild(db.conn, themes.print_progress)


@migration("013_property_pairs")
def response_property_pair_days(db: sqlite_utils.Database) -> None:
    # Per-day counts by two property values together, kept by triggers: see
    # property_pairs. An upgraded database counts its answers once, here,
    # with a progress line.
    property_pairs.create(db)


@migration("014_open_undated_index")
def open_undated_index(db: sqlite_utils.Database) -> None:
    # "Overdue" is the open detractors less those not due yet or without a
    # deadline (stored before deadlines existed); the open ones are counted
    # per day, and these two kinds are few, read by responses_open_due and
    # by this index.
    db.execute(
        "CREATE INDEX responses_open_undated ON responses (created_at)"
        " WHERE score <= 6 AND followup_status IS NULL AND followup_due_at IS NULL"
    )


@migration("015_open_detractor_days")
def open_detractor_days(db: sqlite_utils.Database) -> None:
    # The detractors nobody has followed up yet, per day: see open_days.
    open_days.create(db)


@migration("016_month_rollups")
def month_rollups(db: sqlite_utils.Database) -> None:
    # Per-month twins of the per-day counts, kept by triggers on them: see rollups.
    rollups.create(db)


@migration("017_property_sets")
def property_set_days(db: sqlite_utils.Database) -> None:
    # Per-day counts by each set of three or more properties, for views with
    # three property conditions or more (see property_sets), with their
    # per-month twin; built once here, with a progress line.
    property_sets.create(db)
    rollups.add_twin(db, rollups.SET_ROLLUP)
    # The twin's key starts with the month; a view reads a few sets' months.
    db.execute("CREATE INDEX response_property_set_months_by_set ON response_property_set_months (set_id, month)")
