"""What a report selects by date and channel, read from a query string: the
presets of the date range, the previous period of the same length, and the
channels. The admin's filters and the read API both read them here, so the
two mean the same by "30d" or by a custom range.

Dates are days in UTC, like the stored timestamps.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .validation import CONTROL

# Presets of the date range: query value and label.
PERIODS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "year": "This year",
    "all": "All time",
    "custom": "Custom dates",
}
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "90d"

CHANNELS: dict[str, str] = {"widget": "Widget", "link": "Survey link"}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_range(
    period: str,
    since_raw: str,
    until_raw: str,
    today: date,
    errors: list[str],
    *,
    labels: tuple[str, str] = ("From", "To"),
    default: str = DEFAULT_PERIOD,
    swap: bool = True,
) -> tuple[str, date | None, date | None]:
    """Return (period, first day, last day) from a preset or a custom range.

    A value that makes no sense adds a message to *errors* and falls back to
    *default*. *labels* name the first and last day in those messages. A range
    that ends before it starts is swapped (with a message), or with *swap*
    False only reported.
    """
    if period and period not in PERIODS:
        errors.append(f"Unknown period “{shown(period)}”: choose one of {', '.join(PERIODS)}.")
        period = ""
    if not period:
        period = "custom" if (since_raw or until_raw) else default
    since = until = None
    if period == "custom":
        since = parse_date(since_raw, labels[0], errors)
        until = parse_date(until_raw, labels[1], errors)
        if since and until and since > until:
            if swap:
                errors.append(f"The date range ends ({until}) before it starts ({since}); the dates were swapped.")
                since, until = until, since
            else:
                errors.append(f"The date range ends ({until}) before it starts ({since}).")
        if since is None and until is None:
            if not (since_raw or until_raw):
                errors.append("A custom period needs a first day, a last day or both.")
            period = default
    if period in PERIOD_DAYS:
        since, until = today - timedelta(days=PERIOD_DAYS[period] - 1), today
    elif period == "year":
        since, until = date(today.year, 1, 1), today
    return period, since, until


def range_days(since: date | None, until: date | None, today: date) -> int | None:
    """Number of days from *since* to *until* (or today), or None without a start."""
    if since is None:
        return None
    return ((until or today) - since).days + 1


def previous_range(since: date | None, until: date | None, today: date) -> tuple[date, date] | None:
    """The days of the period of the same length just before this one, or None
    when this one has no start (all time) or the calendar has no room before it."""
    days = range_days(since, until, today)
    if since is None or days is None or days < 1:
        return None
    try:
        last = since - timedelta(days=1)
        return last - timedelta(days=days - 1), last
    except OverflowError:  # before the year 1
        return None


def parse_date(raw: str, label: str, errors: list[str]) -> date | None:
    """Return the day *raw* (YYYY-MM-DD) names, or None (with a message unless *raw* is empty)."""
    if not raw:
        return None
    if _DATE.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    errors.append(f"{label}: “{shown(raw)}” is not a date like 2026-01-31.")
    return None


def shown(value: str, limit: int = 40) -> str:
    """A refused value as it may be quoted in a message: short and printable."""
    value = CONTROL.sub("?", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
