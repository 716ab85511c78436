"""The detractors nobody has followed up yet, per day, touchpoint and channel
(migration 015_open_detractor_days).

Kept by triggers on `responses` like response_days, in the statement that
stores, changes or deletes an answer: a new detractor adds one, following it
up (or a better score, forget, retention) takes it away. The overview's "to
follow up" and "overdue" then cost the days of the period, not its answers.

This is a shipped migration's body: never edit it; change the schema with a
new migration.
"""

from __future__ import annotations

import sqlite_utils

from .filters import FOLLOWUP_CLAUSES
from .property_days import open_sql


def create(db: sqlite_utils.Database) -> None:
    """Create the table, count the open detractors already stored, and add the triggers."""
    db.execute(
        """
        CREATE TABLE open_detractor_days (
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (day, touchpoint_id, channel)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        f"""
        INSERT INTO open_detractor_days (day, touchpoint_id, channel, n)
        SELECT substr(created_at, 1, 10), touchpoint_id, channel, COUNT(*)
        FROM responses r WHERE {FOLLOWUP_CLAUSES["open"]} GROUP BY 1, 2, 3
        """
    )

    def increment(row: str) -> str:
        return f"""
            INSERT INTO open_detractor_days (day, touchpoint_id, channel, n)
            SELECT substr({row}.created_at, 1, 10), {row}.touchpoint_id, {row}.channel, 1
            WHERE {open_sql(row)}
            ON CONFLICT DO UPDATE SET n = n + 1;
        """

    def decrement(row: str) -> str:
        return f"""
            UPDATE open_detractor_days SET n = n - 1
            WHERE {open_sql(row)} AND day = substr({row}.created_at, 1, 10)
              AND touchpoint_id = {row}.touchpoint_id AND channel = {row}.channel;
        """

    db.execute(
        "CREATE TRIGGER open_detractor_days_insert AFTER INSERT ON responses"
        f" WHEN {open_sql('new')} BEGIN {increment('new')} END"
    )
    db.execute(
        "CREATE TRIGGER open_detractor_days_delete AFTER DELETE ON responses"
        f" WHEN {open_sql('old')} BEGIN {decrement('old')} END"
    )
    db.execute(
        "CREATE TRIGGER open_detractor_days_update"
        " AFTER UPDATE OF score, channel, created_at, touchpoint_id, followup_status ON responses"
        f" WHEN {open_sql('old')} OR {open_sql('new')}"
        f" BEGIN {decrement('old')} {increment('new')} END"
    )
