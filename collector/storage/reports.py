"""The overview's figures: NPS counts per touchpoint, period and property value."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from .. import nps
from . import rollups
from .filters import CATEGORY_COUNTS, FOLLOWUP_CLAUSES, ResponseFilter, where_sql
from .property_days import SCORE_COLUMNS


def category_counts_by_touchpoint(
    conn: sqlite3.Connection, flt: ResponseFilter | None = None
) -> dict[int, tuple[int, int, int]]:
    """Return {touchpoint_id: (promoters, passives, detractors)}."""
    scores: dict[int, list[int]] = {}
    for tp_id, _, score, count in score_counts_by_period(conn, flt, "all"):
        scores.setdefault(tp_id, [0] * 11)[score] += count
    return {tp_id: _categories(counts) for tp_id, counts in scores.items()}


# How the overview's trend groups days: the first day of the week (Monday)
# or of the month, as text ("all": one group).
_BUCKETS = {
    "day": "day",
    "week": "date(day, 'weekday 0', '-6 days')",
    "month": "substr(day, 1, 7) || '-01'",
    "all": "''",
}

# Where the figures come from. A period's whole days are read from the
# per-day counts (response_days; response_property_days for one property
# filter or a breakdown; response_property_pair_days for two property
# filters, or one and a breakdown by another; response_property_set_days for
# three or more), so the cost grows with the days and values shown, not with
# the answers. Only a period that starts within a day (a timestamp) reads
# that first day's answers, and a filter on signed answers reads them all.


def _counts_of(properties: dict[str, str]) -> tuple[str, list[str], list[Any]]:
    """The per-day table that counts answers with all of *properties* (at
    least one), with the conditions that pick them and their params."""
    pairs = sorted(properties.items())  # key1 before key2, as property_pairs stores them
    if len(pairs) == 1:
        return "response_property_days", ["key = ?", "value = ?"], [*pairs[0]]
    if len(pairs) == 2:
        return (
            "response_property_pair_days",
            ["key1 = ?", "value1 = ?", "key2 = ?", "value2 = ?"],
            [*pairs[0], *pairs[1]],
        )
    return _sets_with(properties)


def _sets_with(properties: dict[str, str]) -> tuple[str, list[str], list[Any]]:
    """The counts by set of properties, with the conditions that pick the
    sets that have all of *properties* and their params."""
    sets = " INTERSECT ".join(["SELECT set_id FROM property_set_values WHERE key = ? AND value = ?"] * len(properties))
    return "response_property_set_days", [f"set_id IN ({sets})"], [part for pair in properties.items() for part in pair]


def _split(flt: ResponseFilter) -> tuple[ResponseFilter | None, ResponseFilter | None]:
    """Split *flt* into the part read from the answers (a first day that
    starts at a moment, not at midnight) and the whole days read from the
    counts; either may be None. Only the answers know their signatures, so a
    filter on signed answers reads them all."""
    if flt.verified:
        return flt, None
    if not flt.since or len(flt.since) == 10:
        return None, flt
    first = flt.since[:10]
    partial = replace(flt, until=min(first, flt.until) if flt.until else first)
    following = (date.fromisoformat(first) + timedelta(days=1)).isoformat()
    if flt.until and flt.until < following:
        return partial, None
    return partial, replace(flt, since=following)


def _answers_by_day(flt: ResponseFilter) -> tuple[str, list[Any]]:
    """A subquery of (touchpoint_id, day, score, n) read from the answers."""
    where, params = flt.where_sql()
    # Grouped by day first: the week or month is then worked out once per day.
    return (
        f"""(SELECT r.touchpoint_id, substr(r.created_at, 1, 10) AS day, r.score, COUNT(*) AS n
             FROM responses r {where} GROUP BY day, r.touchpoint_id, r.score)""",
        params,
    )


_SUMS = ", ".join(f"SUM({column})" for column in SCORE_COLUMNS)


def score_counts_by_period(
    conn: sqlite3.Connection, flt: ResponseFilter | None = None, interval: str = "day", before: str | None = None
) -> list[tuple[int, str | None, int, int]]:
    """Return (touchpoint_id, first day of the day/week/month, score, count)
    for the selected responses; days before *before* (YYYY-MM-DD) are added
    up into one period whose first day is None."""
    flt = flt or ResponseFilter()
    if before and interval in ("month", "all") and (flt.since or "")[:10] < before <= (flt.until or "9999"):
        # Two periods, each read by whole months where it can be.
        day_before = (date.fromisoformat(before) - timedelta(days=1)).isoformat()
        earlier = score_counts_by_period(conn, replace(flt, until=day_before), "all")
        later = score_counts_by_period(conn, replace(flt, since=before), interval)
        return [(tp_id, None, score, count) for tp_id, _, score, count in earlier] + later
    bucket = _BUCKETS[interval]
    select_params: list[Any] = []
    if before:
        bucket = f"CASE WHEN day < ? THEN NULL ELSE {bucket} END"
        select_params.append(before)
    totals: dict[tuple[int, str | None], list[int]] = {}

    def add(rows: Iterable[tuple[int, str | None, int, int]]) -> None:
        for tp_id, start, score, count in rows:
            totals.setdefault((tp_id, start), [0] * 11)[score] += count

    def per_score(source: str, params: list[Any]) -> None:
        add(
            conn.execute(
                f"SELECT touchpoint_id, {bucket} AS bucket, score, SUM(n) FROM {source} GROUP BY 1, 2, 3",
                [*select_params, *params],
            )
        )

    # A month's sums serve a trend by month or one total, not days or weeks.
    by_month = interval in ("month", "all") and before is None
    partial, whole = _split(flt)
    if partial is not None:
        per_score(*_answers_by_day(partial))
    if whole is None:
        pass
    elif not flt.properties:
        per_score(*rollups.read(conn, "response_days", [], [], whole, "touchpoint_id, score, n", by_month))
    else:
        counts = _counts_of(flt.properties)
        source, params = rollups.read(conn, *counts, whole, f"touchpoint_id, {', '.join(SCORE_COLUMNS)}", by_month)
        rows = conn.execute(
            f"SELECT touchpoint_id, {bucket} AS bucket, {_SUMS} FROM {source} GROUP BY 1, 2",
            [*select_params, *params],
        )
        for tp_id, start, *sums in rows:
            add((tp_id, start, score, count) for score, count in enumerate(sums))
    return [
        (tp_id, start, score, count)
        for (tp_id, start), counts in totals.items()
        for score, count in enumerate(counts)
        if count > 0
    ]


def breakdown_counts(
    conn: sqlite3.Connection, key: str, flt: ResponseFilter | None = None
) -> dict[str | None, tuple[int, int, int]]:
    """Return {value of property *key* (None where unset): (promoters, passives, detractors)}."""
    flt = flt or ResponseFilter()
    properties = flt.properties or {}
    if key in properties:
        # Filtered on this very property: one value, the filter's own.
        scores = [0] * 11
        for _, _, score, count in score_counts_by_period(conn, flt, "all"):
            scores[score] += count
        return {properties[key]: _categories(scores)} if any(scores) else {}
    partial, whole = _split(flt)
    parts = []
    if whole is not None:
        parts.append(_breakdown_from_counts(conn, key, whole))
    if partial is not None:
        parts.append(_breakdown_from_answers(conn, key, partial))
    found: dict[str | None, tuple[int, int, int]] = {}
    for part in parts:
        for value, triple in part.items():
            before = found.get(value, (0, 0, 0))
            found[value] = (before[0] + triple[0], before[1] + triple[1], before[2] + triple[2])
    return {value: triple for value, triple in found.items() if sum(triple)}


def _breakdown_from_counts(
    conn: sqlite3.Connection, key: str, flt: ResponseFilter
) -> dict[str | None, tuple[int, int, int]]:
    """breakdown_counts for whole days, from the per-day counts (*flt*'s
    property filters are on other keys than *key*)."""
    scores_sql = ", ".join(SCORE_COLUMNS)
    if flt.properties and len(flt.properties) > 1:
        # The sets with every filter, each one's value of the key read once.
        table, picks, picked = _sets_with(flt.properties)
        per_day, params = rollups.read(conn, table, picks, picked, flt, f"set_id, {scores_sql}")
        named = ", ".join(f"SUM({column}) AS {column}" for column in SCORE_COLUMNS)
        # Only a text value, as the counts by one value take (the API stores nothing else).
        path = "'$.' || json_quote(?)"
        source = f"""(SELECT json_extract(s.properties, {path}) AS value, {scores_sql}
            FROM (SELECT set_id, {named} FROM {per_day} GROUP BY set_id) d JOIN property_sets s ON s.id = d.set_id
            WHERE json_type(s.properties, {path}) = 'text')"""
        params = [key, *params, key]
    elif flt.properties:
        ((other, wanted),) = flt.properties.items()
        # The pairs store the key that sorts first as key1.
        mine, theirs = ("2", "1") if other < key else ("1", "2")
        source, params = rollups.read(
            conn,
            "response_property_pair_days",
            [f"key{theirs} = ?", f"value{theirs} = ?", f"key{mine} = ?"],
            [other, wanted, key],
            flt,
            f"value{mine} AS value, {scores_sql}",
        )
    else:
        # Each value of the key looked up in turn (a skip scan): the rows of
        # the period only, not every day of every value.
        source, params = rollups.read(
            conn, "response_property_days", ["key = ?", _VALUES_OF_KEY], [key, key, key], flt, f"value, {scores_sql}"
        )
    rows = conn.execute(f"SELECT value, {_SUMS} FROM {source} GROUP BY value", params)
    scores: dict[str | None, list[int]] = {value: counts for value, *counts in rows}
    # Answers without the key: all the selected answers but those with a value.
    unset = [0] * 11
    for _, _, score, count in score_counts_by_period(conn, flt, "all"):
        unset[score] += count
    for counts in scores.values():
        _add_scores(unset, [-count for count in counts])
    scores[None] = unset
    return {value: _categories(counts) for value, counts in scores.items()}


_VALUES_OF_KEY = """value IN (
    WITH RECURSIVE v(value) AS (
        SELECT min(value) FROM response_property_days WHERE key = ?
        UNION ALL
        SELECT (SELECT min(value) FROM response_property_days WHERE key = ? AND value > v.value)
        FROM v WHERE v.value IS NOT NULL
    ) SELECT value FROM v WHERE value IS NOT NULL)"""


def _add_scores(into: list[int], counts: Iterable[int]) -> None:
    for score, count in enumerate(counts):
        into[score] += count


def _categories(counts: list[int]) -> tuple[int, int, int]:
    summary = nps.summary_from_scores(enumerate(counts))
    return summary.promoters, summary.passives, summary.detractors


def _breakdown_from_answers(
    conn: sqlite3.Connection, key: str, flt: ResponseFilter
) -> dict[str | None, tuple[int, int, int]]:
    where, params = flt.where_sql()
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
    """Return {touchpoint_id: detractors nobody has followed up yet}."""
    flt = flt or ResponseFilter()
    if flt.properties:
        table, picks, picked = _counts_of(flt.properties)
        column = "open"
    else:
        table, picks, picked, column = "open_detractor_days", [], [], "n"
    partial, whole = _split(flt)
    found = _open_detractors_from_answers(conn, partial) if partial is not None else {}
    if whole is not None:
        source, params = rollups.read(conn, table, picks, picked, whole, f"touchpoint_id, {column} AS open")
        rows = conn.execute(f"SELECT touchpoint_id, SUM(open) FROM {source} GROUP BY touchpoint_id", params)
        for tp_id, count in rows:
            found[tp_id] = found.get(tp_id, 0) + count
    return {tp_id: count for tp_id, count in found.items() if count}


def _open_detractors_from_answers(conn: sqlite3.Connection, flt: ResponseFilter) -> dict[int, int]:
    clauses, params = flt.where()
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


def property_keys_in_use(conn: sqlite3.Connection) -> list[str]:
    """Return the sorted property keys of the stored answers, for the filter
    form's choices: read from the per-day counts by property value, one key
    at a time (a skip scan of its first column), so the cost grows with the
    number of keys, not of answers."""
    rows = conn.execute(
        """
        WITH RECURSIVE k(key) AS (
            SELECT min(key) FROM response_property_days
            UNION ALL
            SELECT (SELECT min(key) FROM response_property_days WHERE key > k.key) FROM k WHERE k.key IS NOT NULL
        )
        SELECT key FROM k WHERE key IS NOT NULL
        """
    ).fetchall()
    return [row[0] for row in rows]
