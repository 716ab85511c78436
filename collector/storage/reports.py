"""The overview's figures: NPS counts per touchpoint, period and property value."""

from __future__ import annotations

import sqlite3
from typing import Any

from .filters import CATEGORY_COUNTS, FOLLOWUP_CLAUSES, ResponseFilter, where_sql


def category_counts_by_touchpoint(
    conn: sqlite3.Connection, flt: ResponseFilter | None = None
) -> dict[int, tuple[int, int, int]]:
    """Return {touchpoint_id: (promoters, passives, detractors)}."""
    where, params = (flt or ResponseFilter()).where_sql()
    rows = conn.execute(
        f"""
        SELECT r.touchpoint_id,
               {CATEGORY_COUNTS}
        FROM responses r {where}
        GROUP BY r.touchpoint_id
        """,
        params,
    ).fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


# How the overview's trend groups days: the first day of the week (Monday)
# or of the month, as text.
_BUCKETS = {
    "day": "day",
    "week": "date(day, 'weekday 0', '-6 days')",
    "month": "substr(day, 1, 7) || '-01'",
}


def score_counts_by_period(
    conn: sqlite3.Connection, flt: ResponseFilter | None = None, interval: str = "day", before: str | None = None
) -> list[tuple[int, str | None, int, int]]:
    """Return (touchpoint_id, first day of the day/week/month, score, count)
    for the selected responses; days before *before* (YYYY-MM-DD) are added
    up into one period whose first day is None."""
    flt = flt or ResponseFilter()
    bucket = _BUCKETS[interval]
    select_params: list[Any] = []
    if before:
        bucket = f"CASE WHEN day < ? THEN NULL ELSE {bucket} END"
        select_params.append(before)
    if flt.properties or (flt.since and len(flt.since) != 10):
        # Only the answers themselves know their properties.
        where, params = flt.where_sql()
        # Grouped by day first: the week or month is then worked out once per
        # day, not once per answer.
        source = f"""(SELECT r.touchpoint_id, substr(r.created_at, 1, 10) AS day, r.score, COUNT(*) AS n
                      FROM responses r {where} GROUP BY day, r.touchpoint_id, r.score)"""
    else:
        where, params = flt.days_where_sql()
        source = f"response_days {where}"
    rows = conn.execute(
        f"""
        SELECT touchpoint_id, {bucket} AS bucket, score, SUM(n) AS count
        FROM {source}
        GROUP BY touchpoint_id, bucket, score HAVING count > 0
        """,
        [*select_params, *params],
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def breakdown_counts(
    conn: sqlite3.Connection, key: str, flt: ResponseFilter | None = None
) -> dict[str | None, tuple[int, int, int]]:
    """Return {value of property *key* (None where unset): (promoters, passives, detractors)}."""
    where, params = (flt or ResponseFilter()).where_sql()
    rows = conn.execute(
        f"""
        SELECT json_extract(r.properties, '$.' || json_quote(?)) AS value,
               {CATEGORY_COUNTS}
        FROM responses r {where}
        GROUP BY value
        """,
        [key, *params],
    ).fetchall()
    return {(None if row[0] is None else str(row[0])): (row[1], row[2], row[3]) for row in rows}


def open_detractors_by_touchpoint(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> dict[int, int]:
    """Return {touchpoint_id: detractors nobody has followed up yet} in one pass."""
    clauses, params = (flt or ResponseFilter()).where()
    clauses.append(FOLLOWUP_CLAUSES["open"])
    rows = conn.execute(
        # SQLite's planner prefers the follow-up list's index, which lacks the touchpoint.
        "SELECT r.touchpoint_id, COUNT(*) FROM responses r INDEXED BY responses_open_detractors_by_touchpoint"
        f" {where_sql(clauses)} GROUP BY r.touchpoint_id",
        params,
    ).fetchall()
    return {row[0]: row[1] for row in rows}


def property_keys(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> list[str]:
    """Return the sorted property keys used by the selected responses."""
    where, params = (flt or ResponseFilter()).where_sql()
    rows = conn.execute(
        f"""
        SELECT DISTINCT j.key
        FROM (SELECT DISTINCT r.properties FROM responses r {where}) p, json_each(p.properties) j
        ORDER BY j.key
        """,
        params,
    ).fetchall()
    return [row[0] for row in rows]


def analyse(conn: sqlite3.Connection) -> None:
    """Refresh the query planner's statistics (after a bulk load)."""
    conn.execute("ANALYZE")


def recent_property_keys(conn: sqlite3.Connection, latest: int = 20000) -> list[str]:
    """Return the sorted property keys used by the *latest* responses.

    For the filter form's choices: reading every response's properties would
    take seconds on a large database; keys in use show up among recent ones.
    """
    rows = conn.execute(
        """
        SELECT DISTINCT j.key
        FROM (SELECT properties FROM responses ORDER BY id DESC LIMIT ?) r, json_each(r.properties) j
        ORDER BY j.key
        """,
        (latest,),
    ).fetchall()
    return [row[0] for row in rows]
