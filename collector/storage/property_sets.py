"""Per-day counts by an answer's whole set of properties (migration 017_property_sets).

The counts by one property value (property_days) and by two (property_pairs)
serve a view with one or two property conditions. For three or more (three
filters, or two and a breakdown by a third key) counting every three values
together would grow with the cube of the properties. But the answers of a
shop or a chain repeat a few sets of properties over and over (store, region,
segment, agent: a few thousand sets for millions of answers), so each set is
stored once and the answers are counted per set:

- property_sets: each set of three or more text properties that answers
  have, as the properties' JSON text (the answers store it with sorted keys,
  so one set has one text), with `n`, how many stored answers have it. A set
  no answer has any longer is deleted (forget, retention), with its values.
- property_set_values: each set's keys and values, to find the sets a view's
  conditions pick (the sets with all of them: one lookup per condition).
- response_property_set_days: per set, day, touchpoint and channel, the
  answers with each score 0-10 and the detractors nobody has followed up,
  as in property_days, with a per-month twin (rollups).

A view with three conditions then reads the days of the few sets that match,
not the answers. Answers with fewer than three properties have no set: no
such view can pick them, and they cost their triggers one comparison. A
property whose value differs on every answer (an order number) would make a
set of every answer; such an id belongs in `ref`.

Triggers keep these tables in the very statement that stores, changes or
deletes an answer, as property_days' keep theirs.

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

TRIGGERS = ("response_property_sets_insert", "response_property_sets_delete", "response_property_sets_update")

_COLUMNS = "set_id, day, touchpoint_id, channel, " + ", ".join(COUNT_COLUMNS)


def has_set(row: str) -> str:
    """True for an answer *row* with three or more text properties. Two
    commas come first: most answers have fewer properties, and that costs
    them one LIKE."""
    return (
        f"({row}.properties LIKE '%,%,%'"
        f" AND (SELECT COUNT(*) FROM json_each({row}.properties) WHERE type = 'text') >= 3)"
    )


def _set_of(row: str) -> str:
    return f"(SELECT id FROM property_sets WHERE properties = {row}.properties)"


def _increment(row: str) -> str:
    return f"""
        INSERT INTO response_property_set_days ({_COLUMNS})
        SELECT id, substr({row}.created_at, 1, 10), {row}.touchpoint_id, {row}.channel, {one_per_score(row)}
        FROM property_sets WHERE properties = {row}.properties
        {ADD_COUNTS};
    """


def _decrement(row: str) -> str:
    return f"""
        UPDATE response_property_set_days SET {minus_one_per_score(row)}
        WHERE set_id = {_set_of(row)} AND day = substr({row}.created_at, 1, 10)
          AND touchpoint_id = {row}.touchpoint_id AND channel = {row}.channel;
    """


def _join(row: str, when: str = "true") -> str:
    """One more answer with *row*'s set (made if it is new), *when* so."""
    # WHERE: an upsert's SELECT needs one, or ON reads as a join.
    return f"""
        INSERT INTO property_sets (properties, n) SELECT {row}.properties, 1 WHERE {when}
        ON CONFLICT (properties) DO UPDATE SET n = n + 1;
    """


def _leave(row: str, when: str = "") -> str:
    """One answer less with *row*'s set (gone with the last one)."""
    return f"""
        UPDATE property_sets SET n = n - 1 WHERE properties = {row}.properties{when};
        DELETE FROM property_sets WHERE properties = {row}.properties AND n <= 0;
    """


def create(db: sqlite_utils.Database) -> None:
    """Create the tables and their triggers, and count the answers already stored."""
    counts = ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNT_COLUMNS)
    db.execute(
        """
        CREATE TABLE property_sets (
            id INTEGER PRIMARY KEY,
            properties TEXT NOT NULL UNIQUE,
            n INTEGER NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE property_set_values (
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            set_id INTEGER NOT NULL,
            PRIMARY KEY (key, value, set_id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        f"""
        CREATE TABLE response_property_set_days (
            set_id INTEGER NOT NULL,
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            {counts},
            PRIMARY KEY (set_id, day, touchpoint_id, channel)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        "CREATE TRIGGER property_sets_values_insert AFTER INSERT ON property_sets BEGIN"
        " INSERT INTO property_set_values (key, value, set_id)"
        " SELECT key, value, new.id FROM json_each(new.properties) WHERE type = 'text'; END"
    )
    db.execute(
        "CREATE TRIGGER property_sets_values_delete AFTER DELETE ON property_sets BEGIN"
        " DELETE FROM property_set_values WHERE set_id = old.id;"
        # A later set may get this id again: it starts from nothing.
        " DELETE FROM response_property_set_days WHERE set_id = old.id; END"
    )
    build(db)
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON responses WHEN {has_set('new')}"
        f" BEGIN {_join('new')} {_increment('new')} END"
    )
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON responses WHEN {has_set('old')}"
        f" BEGIN {_decrement('old')} {_leave('old')} END"
    )
    # The set changes only with the properties: a new score keeps its n.
    moved = "old.properties != new.properties"
    join, leave = _join("new", f"{has_set('new')} AND {moved}"), _leave("old", f" AND {moved}")
    db.execute(
        f"CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF {COUNTED_COLUMNS} ON responses"
        f" WHEN ({has_set('old')} OR {has_set('new')}) AND {COUNTED_CHANGE}"
        f" BEGIN {_decrement('old')} {join} {leave} {_increment('new')} END"
    )


def build(db: sqlite_utils.Database, after_id: int = 0) -> None:
    """Count the answers already stored (or those after *after_id*, loaded
    in bulk), a step of ids at a time, with a progress line."""
    build_in_steps(
        db,
        (
            f"""
            INSERT INTO property_sets (properties, n)
            SELECT r.properties, COUNT(*) FROM responses r
            WHERE r.id >= ? AND r.id < ? AND {has_set("r")}
            GROUP BY r.properties
            ON CONFLICT (properties) DO UPDATE SET n = n + excluded.n
            """,
            f"""
            INSERT INTO response_property_set_days ({_COLUMNS})
            SELECT s.id, substr(r.created_at, 1, 10), r.touchpoint_id, r.channel, {PER_SCORE}
            FROM responses r JOIN property_sets s ON s.properties = r.properties
            WHERE r.id >= ? AND r.id < ? AND {has_set("r")}
            GROUP BY 1, 2, 3, 4
            {ADD_COUNTS}
            """,
        ),
        after_id,
        "by set of properties",
    )
