"""Per-day counts by two property values together (migration 013_property_pairs).

response_property_pair_days is response_property_days for pairs: for every
two properties of an answer (key1 before key2, in the order SQLite sorts
text), their values, the day, touchpoint and channel, the answers with each
score 0-10 and the detractors nobody has followed up yet. With it the
overview filtered on two properties, or on one and broken down by another,
reads the period's days, not its answers. An answer with k properties
counts in k·(k-1)/2 pairs: three properties cost three rows more per answer,
ten would cost 45, so the cost of storing an answer grows with the square of
how many properties it has. Three or more property conditions together
still read the answers.

Triggers keep it as property_days' triggers keep that table, in the very
statement that stores, changes or deletes an answer.

This is a shipped migration's body: never edit it; change the schema with a
new migration.
"""

from __future__ import annotations

import sqlite_utils

from .property_days import (
    ADD_COUNTS,
    COUNT_COLUMNS,
    COUNTED_CHANGE,
    COUNTED_COLUMNS,
    PER_SCORE,
    build_in_steps,
    minus_one_per_score,
    one_per_score,
)

TRIGGERS = ("response_property_pairs_insert", "response_property_pairs_delete", "response_property_pairs_update")

_COLUMNS = "key1, value1, key2, value2, day, touchpoint_id, channel, " + ", ".join(COUNT_COLUMNS)


def _pairs(row: str) -> str:
    """FROM and WHERE for the pairs of text properties of *row* (a, b: json_each rows)."""
    return (
        f"FROM json_each({row}.properties) a, json_each({row}.properties) b"
        " WHERE a.type = 'text' AND b.type = 'text' AND a.key < b.key"
    )


def _increment(row: str) -> str:
    return f"""
        INSERT INTO response_property_pair_days ({_COLUMNS})
        SELECT a.key, a.value, b.key, b.value, substr({row}.created_at, 1, 10), {row}.touchpoint_id,
               {row}.channel, {one_per_score(row)}
        {_pairs(row)}
        {ADD_COUNTS};
    """


def _decrement(row: str) -> str:
    return f"""
        UPDATE response_property_pair_days SET {minus_one_per_score(row)}
        WHERE (key1, value1, key2, value2) IN (SELECT a.key, a.value, b.key, b.value {_pairs(row)})
          AND day = substr({row}.created_at, 1, 10) AND touchpoint_id = {row}.touchpoint_id
          AND channel = {row}.channel;
    """


# Two properties need a comma between them: an answer without one has no pair.
def _has_pairs(row: str) -> str:
    return f"instr({row}.properties, ',')"


def create(db: sqlite_utils.Database) -> None:
    """Create the table and its triggers, and count the answers already stored."""
    counts = ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNT_COLUMNS)
    db.execute(
        f"""
        CREATE TABLE response_property_pair_days (
            key1 TEXT NOT NULL,
            value1 TEXT NOT NULL,
            key2 TEXT NOT NULL,
            value2 TEXT NOT NULL,
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            {counts},
            PRIMARY KEY (key1, value1, key2, value2, day, touchpoint_id, channel)
        ) WITHOUT ROWID
        """
    )
    build(db)
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON responses WHEN {_has_pairs('new')} BEGIN {_increment('new')} END"
    )
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON responses WHEN {_has_pairs('old')} BEGIN {_decrement('old')} END"
    )
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF {COUNTED_COLUMNS} ON responses"
        f" WHEN ({_has_pairs('old')} OR {_has_pairs('new')}) AND {COUNTED_CHANGE}"
        f" BEGIN {_decrement('old')} {_increment('new')} END"
    )


def build(db: sqlite_utils.Database, after_id: int = 0) -> None:
    """Count the answers already stored (or those after *after_id*, loaded
    in bulk), a step of ids at a time, with a progress line."""
    build_in_steps(
        db,
        f"""
        INSERT INTO response_property_pair_days ({_COLUMNS})
        SELECT a.key, a.value, b.key, b.value, substr(r.created_at, 1, 10), r.touchpoint_id, r.channel, {PER_SCORE}
        FROM responses r, json_each(r.properties) a, json_each(r.properties) b
        WHERE r.id >= ? AND r.id < ? AND {_has_pairs("r")}
          AND a.type = 'text' AND b.type = 'text' AND a.key < b.key
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        {ADD_COUNTS}
        """,
        after_id,
        "by two property values",
    )
