"""Per-month sums of the per-day counts (migration 016_month_rollups).

A period of two years is 730 days of rows in each per-day table (per
touchpoint, channel and score, or property value); its whole months are 24.
Each per-day table has a per-month twin with the same columns, `month` (the
month's first day, YYYY-MM-01) in place of `day`, kept by triggers on the
per-day table: whatever adds to, takes from or deletes a day's row does the
same to its month's row, in the same statement. The overview reads a
period's whole months here and only its first and last part-months by day
(read, spans), so a long period costs about as much as a short one.

create is a shipped migration's body: never edit it; change the schema with
a new migration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from .filters import ResponseFilter, where_sql
from .property_days import COUNT_COLUMNS

# The matrix's sums (driver_schema).
DRIVER_SUMS = ("n", "sa", "sb", "saa", "sbb", "sab")
_INTEGER_KEYS = {"touchpoint_id", "score", "a", "b"}


@dataclass(frozen=True)
class Rollup:
    days: str  # the per-day table
    months: str  # its per-month twin
    keys: tuple[str, ...]  # the columns besides the day that make a row's key
    sums: tuple[str, ...]  # the counts


ROLLUPS = (
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


def create(db: sqlite_utils.Database) -> None:
    """Create each per-month table from its per-day table, and the triggers that keep it."""
    for rollup in ROLLUPS:
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
        columns = ", ".join(rollup.keys)
        db.execute(
            f"""
            INSERT INTO {rollup.months} (month, {columns}, {", ".join(rollup.sums)})
            SELECT substr(day, 1, 7) || '-01', {columns}, {", ".join(f"SUM({c})" for c in rollup.sums)}
            FROM {rollup.days} GROUP BY 1, {columns}
            """
        )
        base = rollup.days
        db.execute(f"CREATE TRIGGER {base}_to_month_insert AFTER INSERT ON {base} BEGIN {_add(rollup, 'new', '')} END")
        db.execute(
            f"CREATE TRIGGER {base}_to_month_update AFTER UPDATE ON {base} BEGIN {_add(rollup, 'new', '', 'old')} END"
        )
        db.execute(f"CREATE TRIGGER {base}_to_month_delete AFTER DELETE ON {base} BEGIN {_add(rollup, 'old', '-')} END")


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
    table: str, picks: list[str], picked: list[Any], flt: ResponseFilter, columns: str, by_month: bool = True
) -> tuple[str, list[Any]]:
    """A subquery of *columns* and `day` from per-day *table*: its rows that
    *picks* and *flt*'s whole days select, each whole month of the period read
    from the table's per-month twin (rollups), with the month's first day as
    its day, unless not *by_month* (a trend by day or week)."""
    other, other_params = replace(flt, since=None, until=None).days_where()
    where = [*picks, *other]
    params = [*picked, *other_params]
    rollup = BY_TABLE[table]
    if by_month:
        split = spans(flt.since, flt.until)
    else:
        split = Spans([(flt.since, flt.until)], None)
    parts: list[str] = []
    values: list[Any] = []

    def part(source: str, day: str, low: str | None, high: str | None) -> None:
        bounds = [(f"{day} >= ?", low), (f"{day} <= ?", high)]
        clauses = where + [clause for clause, value in bounds if value is not None]
        parts.append(f"SELECT {columns}, {day} AS day FROM {source} {where_sql(clauses)}")
        values.extend([*params, *(value for _, value in bounds if value is not None)])

    for low, high in split.day_ranges:
        part(table, "day", low, high)
    if split.months is not None:
        part(rollup.months, "month", *split.months)
    return "(" + " UNION ALL ".join(parts) + ")", values
