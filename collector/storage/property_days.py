"""Per-day counts by property value (migration 009_property_days).

response_property_days keeps, for every property key and value, day,
touchpoint and channel, the number of answers with each score 0-10 (one
column per score: a row per value and day, not eleven), and the detractors among them nobody has
followed up yet. Triggers on
`responses` keep it up to date in the very statement that stores, changes or
deletes an answer, like response_days: the widget's, a survey link's, a
merged visitor answer, the admin's edit, forget and retention all go through
them. The overview reads a period's whole days here instead of the answers
themselves when it is filtered on one property or broken down by one.

This is a shipped migration's body: never edit it; change the schema with a
new migration.
"""

from __future__ import annotations

import sys

import sqlite_utils

from .filters import FOLLOWUP_CLAUSES

SCORE_COLUMNS = tuple(f"s{score}" for score in range(11))
# Also counted: the detractors nobody has followed up yet (storage.filters'
# FOLLOWUP_CLAUSES["open"], for an answer row).
COUNT_COLUMNS = (*SCORE_COLUMNS, "open")


def open_sql(row: str) -> str:
    return "(" + FOLLOWUP_CLAUSES["open"].replace("r.", f"{row}.") + ")"


# The answers read per step of the build at upgrade (one progress line each).
BUILD_STEP = 250_000

_COLUMNS = "key, value, day, touchpoint_id, channel, " + ", ".join(COUNT_COLUMNS)
# An upsert's tail that adds a new row's counts to the row already there.
ADD_COUNTS = "ON CONFLICT DO UPDATE SET " + ", ".join(f"{c} = {c} + excluded.{c}" for c in COUNT_COLUMNS)
# Only text values: the API and the command line take nothing else.
_VALUES = "FROM json_each({row}.properties) j WHERE j.type = 'text'"


def one_per_score(row: str) -> str:
    return ", ".join(f"{row}.score = {score}" for score in range(11)) + ", " + open_sql(row)


def _increment(row: str) -> str:
    return f"""
        INSERT INTO response_property_days ({_COLUMNS})
        SELECT j.key, j.value, substr({row}.created_at, 1, 10), {row}.touchpoint_id, {row}.channel,
               {one_per_score(row)}
        {_VALUES.format(row=row)}
        {ADD_COUNTS};
    """


def minus_one_per_score(row: str) -> str:
    """SET assignments that take answer *row* out of its counts (one_per_score's undoing)."""
    minus = ", ".join(f"s{score} = s{score} - ({row}.score = {score})" for score in range(11))
    return minus + f", open = open - {open_sql(row)}"


def _decrement(row: str) -> str:
    return f"""
        UPDATE response_property_days SET {minus_one_per_score(row)}
        WHERE (key, value) IN (SELECT j.key, j.value {_VALUES.format(row=row)})
          AND day = substr({row}.created_at, 1, 10) AND touchpoint_id = {row}.touchpoint_id
          AND channel = {row}.channel;
    """


def _progress(text: str, end: str = "") -> None:
    sys.stderr.write("\r" + text + end)
    sys.stderr.flush()


def create(db: sqlite_utils.Database) -> None:
    """Create the table and its triggers, and count the answers already stored."""
    scores = ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNT_COLUMNS)
    db.execute(
        f"""
        CREATE TABLE response_property_days (
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            {scores},
            PRIMARY KEY (key, value, day, touchpoint_id, channel)
        ) WITHOUT ROWID
        """
    )
    build(db)
    _create_triggers(db)


TRIGGERS = ("response_property_days_insert", "response_property_days_delete", "response_property_days_update")


# What changes an answer's counts (an UPDATE trigger's WHEN, with old and new).
COUNTED_CHANGE = (
    "(old.score != new.score OR old.channel != new.channel OR old.created_at != new.created_at"
    " OR old.touchpoint_id != new.touchpoint_id OR old.properties != new.properties"
    " OR (old.followup_status IS NULL) != (new.followup_status IS NULL))"
)
COUNTED_COLUMNS = "score, channel, created_at, touchpoint_id, properties, followup_status"


def _create_triggers(db: sqlite_utils.Database) -> None:
    # An answer without properties ('{}', the usual widget answer) costs one WHEN.
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON responses"
        f" WHEN new.properties != '{{}}' BEGIN {_increment('new')} END"
    )
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON responses"
        f" WHEN old.properties != '{{}}' BEGIN {_decrement('old')} END"
    )
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF {COUNTED_COLUMNS} ON responses"
        f" WHEN (old.properties != '{{}}' OR new.properties != '{{}}') AND {COUNTED_CHANGE}"
        f" BEGIN {_decrement('old')} {_increment('new')} END"
    )


PER_SCORE = ", ".join(f"SUM(r.score = {score})" for score in range(11)) + f", SUM({open_sql('r')})"


def build(db: sqlite_utils.Database, after_id: int = 0) -> None:
    """Count the answers already stored (or those after *after_id*, loaded
    in bulk), a step of ids at a time, with a progress line."""
    build_in_steps(
        db,
        f"""
        INSERT INTO response_property_days ({_COLUMNS})
        SELECT j.key, j.value, substr(r.created_at, 1, 10), r.touchpoint_id, r.channel, {PER_SCORE}
        FROM responses r, json_each(r.properties) j
        WHERE r.id >= ? AND r.id < ? AND r.properties != '{{}}' AND j.type = 'text'
        GROUP BY 1, 2, 3, 4, 5
        {ADD_COUNTS}
        """,
        after_id,
        "by property value",
    )


def build_in_steps(db: sqlite_utils.Database, insert_sql: str | tuple[str, ...], after_id: int, what: str) -> None:
    """Run *insert_sql* (one statement or several in turn, each taking the
    ids from ? to before ?) over the answers after *after_id*, BUILD_STEP
    ids at a time, with a progress line."""
    statements = (insert_sql,) if isinstance(insert_sql, str) else insert_sql
    low, high = db.execute("SELECT min(id), max(id) FROM responses WHERE id > ?", [after_id]).fetchone()
    if low is None:
        return
    total = db.execute("SELECT COUNT(*) FROM responses WHERE id > ?", [after_id]).fetchone()[0]
    done = 0
    start = low
    while start <= high:
        end = start + BUILD_STEP
        for statement in statements:
            db.execute(statement, [start, end])
        done += db.execute("SELECT COUNT(*) FROM responses WHERE id >= ? AND id < ?", [start, end]).fetchone()[0]
        _progress(f"Counting answers {what}: {done:,} of {total:,}")
        start = end
    _progress(f"Counted {total:,} answers {what}.", "\n")
