"""Loading many new answers at once (a benchmark's fill, an import).

Six tables are derived from the answers by triggers, row by row: the
comments' search index, the counts by one and by two property values and by
set of properties, the action matrix's sums and each comment's terms; and the answers have a dozen indexes. Row by
row they cost more than the answers themselves when a million arrive
together, so bulk_load sets those triggers and the indexes aside, and when
the load is done makes the same rows for the new answers in a few
statements, and puts the triggers and indexes back exactly as they were
(their SQL is read from the schema). The unique index stays: it is a rule,
not a speed-up. response_days and the webhook events keep their triggers:
they are cheap, and nothing may go without them.

Only for answers added while nothing else writes: an answer changed or
deleted meanwhile would not be counted right.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from . import property_days, property_pairs, property_sets, rollups, themes
from .connection import transaction
from .drivers import add_moments

# Only the inserting triggers: a change or a delete keeps its own.
_TRIGGERS = (
    "responses_ai",
    property_days.TRIGGERS[0],
    property_pairs.TRIGGERS[0],
    property_sets.TRIGGERS[0],
    "comment_terms_insert",
    "driver_moments_insert",
)
_SET_ASIDE = f"""
    SELECT type, name, sql FROM sqlite_master
    WHERE (type = 'trigger' AND name IN ({", ".join(f"'{name}'" for name in _TRIGGERS)}))
       OR (type = 'index' AND tbl_name = 'responses' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %')
    ORDER BY type = 'trigger', name
"""


@contextmanager
def bulk_load(conn: sqlite3.Connection) -> Iterator[None]:
    """Insert answers (storage.insert_responses_bulk) and their ratings
    (insert_ratings_bulk) inside this block; the derived tables are made at
    its end, with a progress line on standard error for the longer steps."""
    with transaction(conn):
        after_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM responses").fetchone()[0]
        saved = conn.execute(_SET_ASIDE).fetchall()
        for kind, name, _sql in saved:
            conn.execute(f"DROP {kind} {name}")
    try:
        yield
    finally:
        with transaction(conn):
            for kind, _name, sql in saved:
                if kind == "index":
                    conn.execute(sql)
            # As the trigger does: every answer, with a comment or without.
            conn.execute(
                "INSERT INTO responses_fts (rowid, comment) SELECT id, comment FROM responses WHERE id > ?", (after_id,)
            )
            db = sqlite_utils.Database(conn)
            property_days.build(db, after_id)
            property_pairs.build(db, after_id)
            property_sets.build(db, after_id)
            themes.rebuild(conn, themes.print_progress, after_id=after_id)
            add_moments(conn, after_id)
            rollups.roll_up(conn)
            for kind, _name, sql in saved:
                if kind == "trigger":
                    conn.execute(sql)
