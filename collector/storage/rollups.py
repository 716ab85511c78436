"""Per-month sums of the per-day counts (migration 016_month_rollups).

A period of two years is 730 days of rows in each per-day table (per
touchpoint, channel and score, or property value); its whole months are 24.
Each per-day table has a per-month twin with the same columns, `month` (the
month's first day, YYYY-MM-01) in place of `day`.

Only months that are over are rolled up: once a month ends, the hourly
clean-up (privacy.clean_up) adds up its days into the twins and notes the
month in rollup_months (roll_up). From then on triggers on the per-day
tables keep those months exact when an older answer changes or leaves (a
follow-up, forget, retention, an import): whatever adds to, takes from or
deletes a day's row of an ended month does the same to its month's row. A
day of the running month costs its triggers one comparison, so storing an
answer stays as cheap as before.

The overview reads a period's rolled-up months here and every other day by
day (read, spans), so a long period costs about as much as a short one.

create and the triggers are a shipped migration's body: never edit them;
change the schema with a new migration.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlite_utils

from .filters import ResponseFilter, where_sql
from .property_days import COUNT_COLUMNS

# The matrix's sums (driver_schema).
DRIVER_SUMS = ("n", "sa", "sb", "saa", "sbb", "sab")
_INTEGER_KEYS = {"touchpoint_id", "score", "a", "b", "set_id"}


@dataclass(frozen=True)
class Rollup:
    days: str  # the per-day table
    months: str  # its per-month twin
    keys: tuple[str, ...]  # the columns besides the day that make a row's key
    sums: tuple[str, ...]  # the counts


# The twins migration 016 made.
MONTH_ROLLUPS = (
    Rollup("response_days", "response_months", ("touchpoint_id", "channel", "score"), ("n",)),
    Rollup("open_detractor_days", "open_detractor_months", ("touchpoint_id", "channel"), ("n",)),
    Rollup(
        "response_property_days",
        "response_property_months",
        ("key", "value", "touchpoint_id", "channel"),
        COUNT_COLUMNS,
    ),
    Rollup("driver_moments", "driver_moment_months", ("touchpoint_id", "a", "b", "channel"), DRIVER_SUMS),
    Rollup(
        "response_property_pair_days",
        "response_property_pair_months",
        ("key1", "value1", "key2", "value2", "touchpoint_id", "channel"),
        COUNT_COLUMNS,
    ),
)
# Migration 017's (property_sets).
SET_ROLLUP = Rollup(
    "response_property_set_days", "response_property_set_months", ("set_id", "touchpoint_id", "channel"), COUNT_COLUMNS
)
ROLLUPS = (*MONTH_ROLLUPS, SET_ROLLUP)
BY_TABLE = {rollup.days: rollup for rollup in ROLLUPS}

_MONTH = "substr({row}.day, 1, 7) || '-01'"


def _add(rollup: Rollup, row: str, sign: str, minus: str | None = None) -> str:
    """Add *row*'s sums (less *minus*'s, for an update) to its month, *sign* + or -."""
    columns = ", ".join(rollup.keys + rollup.sums)
    values = ", ".join(
        [f"{row}.{k}" for k in rollup.keys]
        + [f"{sign}({row}.{c}{f' - {minus}.{c}' if minus else ''})" for c in rollup.sums]
    )
    key = ", ".join(("month", *rollup.keys))
    return f"""
        INSERT INTO {rollup.months} (month, {columns})
        VALUES ({_MONTH.format(row=row)}, {values})
        ON CONFLICT ({key}) DO UPDATE SET {", ".join(f"{c} = {c} + excluded.{c}" for c in rollup.sums)};
    """


# A day of a month that is over (UTC, as the days are).
def _ended(row: str) -> str:
    return f"{row}.day < strftime('%Y-%m-01', 'now')"


def create(db: sqlite_utils.Database) -> None:
    """Create each per-month table and the triggers that keep it, and roll up the months that are over."""
    db.execute("CREATE TABLE rollup_months (month TEXT PRIMARY KEY) WITHOUT ROWID")
    for rollup in MONTH_ROLLUPS:
        add_twin(db, rollup)
    roll_up(db.conn, rollups=MONTH_ROLLUPS)


def add_twin(db: sqlite_utils.Database, rollup: Rollup) -> None:
    """Create *rollup*'s per-month table and the triggers that keep it, for
    the months rolled up already too."""
    keys = ", ".join(f"{k} {'INTEGER' if k in _INTEGER_KEYS else 'TEXT'} NOT NULL" for k in rollup.keys)
    sums = ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in rollup.sums)
    db.execute(
        f"""
        CREATE TABLE {rollup.months} (
            month TEXT NOT NULL,
            {keys},
            {sums},
            PRIMARY KEY ({", ".join(("month", *rollup.keys))})
        ) WITHOUT ROWID
        """
    )
    base = rollup.days
    db.execute(
        f"CREATE TRIGGER {base}_to_month_insert AFTER INSERT ON {base} WHEN {_ended('new')}"
        f" BEGIN {_add(rollup, 'new', '')} END"
    )
    db.execute(
        f"CREATE TRIGGER {base}_to_month_update AFTER UPDATE ON {base} WHEN {_ended('new')}"
        f" BEGIN {_add(rollup, 'new', '', 'old')} END"
    )
    db.execute(
        f"CREATE TRIGGER {base}_to_month_delete AFTER DELETE ON {base} WHEN {_ended('old')}"
        f" BEGIN {_add(rollup, 'old', '-')} END"
    )
    # In one pass: a per-day table is not in order of day.
    columns = ", ".join(rollup.keys)
    db.execute(
        f"""
        INSERT INTO {rollup.months} (month, {columns}, {", ".join(rollup.sums)})
        SELECT {_MONTH.format(row=base)} AS month, {columns}, {", ".join(f"SUM({c})" for c in rollup.sums)}
        FROM {base} WHERE {_MONTH.format(row=base)} IN (SELECT month FROM rollup_months) GROUP BY month, {columns}
        """
    )


def roll_up(conn: sqlite3.Connection, today: date | None = None, rollups: tuple[Rollup, ...] = ROLLUPS) -> list[str]:
    """Add up the days of every month that is over and not rolled up yet,
    from the first month with answers, into each of *rollups*' twins;
    return those months. Runs in the caller's transaction."""
    first = conn.execute("SELECT min(day) FROM response_days").fetchone()[0]
    if first is None:
        return []
    this_month = (today or datetime.now(UTC).date()).replace(day=1)
    done = {row[0] for row in conn.execute("SELECT month FROM rollup_months")}
    month = date.fromisoformat(first).replace(day=1)
    rolled = []
    while month < this_month:
        start = month.isoformat()
        if start not in done:
            for rollup in rollups:
                _roll_up_month(conn, rollup, start)
            conn.execute("INSERT INTO rollup_months (month) VALUES (?)", (start,))
            rolled.append(start)
        month = _next_month(month)
    return rolled


def _roll_up_month(conn: sqlite3.Connection, rollup: Rollup, month: str) -> None:
    """Make *rollup*'s twin row of *month* (YYYY-MM-01) from its days."""
    columns = ", ".join(rollup.keys)
    following = _next_month(date.fromisoformat(month)).isoformat()
    # Triggers may have added part of the month already: made afresh.
    conn.execute(f"DELETE FROM {rollup.months} WHERE month = ?", (month,))
    conn.execute(
        f"""
        INSERT INTO {rollup.months} (month, {columns}, {", ".join(rollup.sums)})
        SELECT ?, {columns}, {", ".join(f"SUM({c})" for c in rollup.sums)}
        FROM {rollup.days} WHERE day >= ? AND day < ? GROUP BY {columns}
        """,
        (month, month, following),
    )


@dataclass(frozen=True)
class Spans:
    """A period of whole days split into part-months read by day and whole months."""

    day_ranges: list[tuple[str | None, str | None]]  # (first day, last day), None: unbounded
    months: tuple[str | None, str | None] | None  # (first month, last month) as YYYY-MM-01, None: unbounded


def spans(since: str | None, until: str | None) -> Spans:
    """Split the days from *since* to *until* (YYYY-MM-DD, inclusive; None:
    unbounded) into whole months and the days around them."""
    first = date.fromisoformat(since) if since else None
    last = date.fromisoformat(until) if until else None
    # The first whole month starts on or after since; the last ends on or before until.
    start = first if first is None or first.day == 1 else _next_month(first)
    if last is None:
        end_next = None
    elif last + timedelta(days=1) == _next_month(last):  # the month's last day
        end_next = _next_month(last)
    else:
        end_next = last.replace(day=1)
    if start is not None and end_next is not None and start >= end_next:
        return Spans([(since, until)], None)
    days: list[tuple[str | None, str | None]] = []
    if first is not None and start != first:
        days.append((since, (start - timedelta(days=1)).isoformat()))
    if last is not None and end_next is not None and end_next <= last:
        days.append((end_next.isoformat(), until))
    months = (
        None if start is None else start.isoformat(),
        None if end_next is None else _previous_month(end_next).isoformat(),
    )
    return Spans(days, months)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _previous_month(first_of_month: date) -> date:
    return (first_of_month - timedelta(days=1)).replace(day=1)


def read(
    conn: sqlite3.Connection,
    table: str,
    picks: list[str],
    picked: list[Any],
    flt: ResponseFilter,
    columns: str,
    by_month: bool = True,
) -> tuple[str, list[Any]]:
    """A subquery of *columns* and `day` from per-day *table*: its rows that
    *picks* and *flt*'s whole days select, each rolled-up month of the period
    read from the table's per-month twin, with the month's first day as its
    day, unless not *by_month* (a trend by day or week)."""
    other, other_params = replace(flt, since=None, until=None).days_where()
    where = [*picks, *other]
    params = [*picked, *other_params]
    rollup = BY_TABLE[table]
    day_ranges: list[tuple[str | None, str | None]] = [(flt.since, flt.until)]
    months = None
    if by_month:
        split = spans(flt.since, flt.until)
        day_ranges = list(split.day_ranges)
        if split.months is not None:
            more, months = _rolled_up_only(conn, split.months)
            day_ranges += more
    parts: list[str] = []
    values: list[Any] = []

    def part(source: str, day: str, low: str | None, high: str | None) -> None:
        bounds = [(f"{day} >= ?", low), (f"{day} <= ?", high)]
        clauses = where + [clause for clause, value in bounds if value is not None]
        parts.append(f"SELECT {columns}, {day} AS day FROM {source} {where_sql(clauses)}")
        values.extend([*params, *(value for _, value in bounds if value is not None)])

    for low, high in day_ranges:
        part(table, "day", low, high)
    if months is not None:
        part(rollup.months, "month", *months)
    return "(" + " UNION ALL ".join(parts) + ")", values


def _rolled_up_only(
    conn: sqlite3.Connection, months: tuple[str | None, str | None]
) -> tuple[list[tuple[str | None, str | None]], tuple[str, str] | None]:
    """Of whole *months* (first, last; None: unbounded), the rolled-up ones
    (roll_up keeps them one unbroken run) and the days of the others."""
    low, high = months
    rolled = conn.execute("SELECT min(month), max(month) FROM rollup_months").fetchone()
    last_day = None if high is None else (_next_month(date.fromisoformat(high)) - timedelta(days=1)).isoformat()
    if rolled[0] is None:
        return [(low, last_day)], None
    start = max(low, rolled[0]) if low else rolled[0]
    end = min(high, rolled[1]) if high else rolled[1]
    if start > end:
        return [(low, last_day)], None
    days: list[tuple[str | None, str | None]] = []
    if low is None or low < start:
        days.append((low, (date.fromisoformat(start) - timedelta(days=1)).isoformat()))
    if high is None or high > end:
        days.append((_next_month(date.fromisoformat(end)).isoformat(), last_day))
    return days, (start, end)
