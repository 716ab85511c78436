"""The schema of driver ratings (migration 007_drivers): each touchpoint's
drivers, each answer's ratings, and the per-day sums the action matrix is
made from.

This is a shipped migration's body: never edit it; change the schema with a
new migration.

A touchpoint has up to five drivers, each in a slot from 1 to 5. An
answer's ratings are one row of `response_ratings` with a column per slot
(r1..r5), beside a copy of the answer's score, day, channel and touchpoint
that triggers on `responses` keep equal to the answer's. That row is what the
matrix needs and nothing more, so triggers on it keep `driver_moments` up to
date: per day, touchpoint and channel, and per pair (a, b) of the variables
(0 is the score, 1-5 the slots), the count of answers with both and the sums
of a, b, a², b² and a·b. A correlation over any period is then a few
thousand rows added up, not a third of a million answers read (the same
idea as response_days). Sums per pair, not per answer: an answer that rates
only some drivers counts in every pair it has (pairwise), and nothing it
gave is left out. The key starts with the touchpoint and the pair, so the
sums of a period are added up in the key's order, with no sort: a period of
two years (73,000 rows at a million answers) takes some 50 ms, against 300
ms with the day first.
"""

from __future__ import annotations

import sqlite_utils

SLOTS = (1, 2, 3, 4, 5)
# The variables of a pair: 0 the score, 1-5 the slots' ratings.
VARIABLES = (0, *SLOTS)


def value_of(variable_sql: str, row: str) -> str:
    """SQL for the value of the variable numbered by *variable_sql* in *row* (new, old or a table alias)."""
    whens = " ".join(f"WHEN {slot} THEN {row}.r{slot}" for slot in SLOTS)
    return f"CASE {variable_sql} WHEN 0 THEN {row}.score {whens} END"


def _add(row: str) -> str:
    a, b = value_of("p.a", row), value_of("p.b", row)
    return f"""
        INSERT INTO driver_moments (day, touchpoint_id, channel, a, b, n, sa, sb, saa, sbb, sab)
        SELECT {row}.day, {row}.touchpoint_id, {row}.channel, a, b, 1, va, vb, va * va, vb * vb, va * vb
        FROM (SELECT p.a AS a, p.b AS b, {a} AS va, {b} AS vb FROM driver_pairs p)
        WHERE va IS NOT NULL AND vb IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1, sa = sa + excluded.sa, sb = sb + excluded.sb,
            saa = saa + excluded.saa, sbb = sbb + excluded.sbb, sab = sab + excluded.sab;
    """


def _subtract(row: str) -> str:
    a, b = value_of("a", row), value_of("b", row)
    return f"""
        UPDATE driver_moments SET n = n - 1, sa = sa - {a}, sb = sb - {b},
            saa = saa - {a} * {a}, sbb = sbb - {b} * {b}, sab = sab - {a} * {b}
        WHERE day = {row}.day AND touchpoint_id = {row}.touchpoint_id AND channel = {row}.channel
          AND {a} IS NOT NULL AND {b} IS NOT NULL;
    """


def create(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE touchpoint_drivers (
            id INTEGER PRIMARY KEY,
            touchpoint_id INTEGER NOT NULL REFERENCES touchpoints(id) ON DELETE CASCADE,
            slot INTEGER NOT NULL CHECK (slot BETWEEN 1 AND 5),
            key TEXT NOT NULL,
            label TEXT NOT NULL,
            question TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (touchpoint_id, key),
            UNIQUE (touchpoint_id, slot)
        )
        """
    )
    # Deleted with the answer (forget, retention, the touchpoint): an
    # answer's ratings are personal data like its comment.
    db.execute(
        """
        CREATE TABLE response_ratings (
            response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,
            touchpoint_id INTEGER NOT NULL,
            day TEXT NOT NULL,
            channel TEXT NOT NULL,
            score INTEGER NOT NULL,
            r1 INTEGER CHECK (r1 BETWEEN 1 AND 5),
            r2 INTEGER CHECK (r2 BETWEEN 1 AND 5),
            r3 INTEGER CHECK (r3 BETWEEN 1 AND 5),
            r4 INTEGER CHECK (r4 BETWEEN 1 AND 5),
            r5 INTEGER CHECK (r5 BETWEEN 1 AND 5)
        )
        """
    )
    db.execute("CREATE INDEX response_ratings_touchpoint_day ON response_ratings (touchpoint_id, day)")
    db.execute("CREATE TABLE driver_pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID")
    db.execute(
        "INSERT INTO driver_pairs (a, b) VALUES "
        + ", ".join(f"({a}, {b})" for a in VARIABLES for b in VARIABLES if a <= b)
    )
    db.execute(
        """
        CREATE TABLE driver_moments (
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            a INTEGER NOT NULL,
            b INTEGER NOT NULL,
            n INTEGER NOT NULL,
            sa INTEGER NOT NULL,
            sb INTEGER NOT NULL,
            saa INTEGER NOT NULL,
            sbb INTEGER NOT NULL,
            sab INTEGER NOT NULL,
            PRIMARY KEY (touchpoint_id, a, b, day, channel)
        ) WITHOUT ROWID
        """
    )
    db.execute(f"CREATE TRIGGER driver_moments_insert AFTER INSERT ON response_ratings BEGIN {_add('new')} END")
    db.execute(f"CREATE TRIGGER driver_moments_delete AFTER DELETE ON response_ratings BEGIN {_subtract('old')} END")
    db.execute(
        "CREATE TRIGGER driver_moments_update AFTER UPDATE ON response_ratings "
        f"BEGIN {_subtract('old')} {_add('new')} END"
    )
    # The copy of the answer follows the answer.
    db.execute(
        """
        CREATE TRIGGER response_ratings_follow AFTER UPDATE OF score, channel, created_at, touchpoint_id ON responses
        BEGIN
            UPDATE response_ratings SET score = new.score, channel = new.channel,
                day = substr(new.created_at, 1, 10), touchpoint_id = new.touchpoint_id
            WHERE response_id = new.id;
        END
        """
    )
