"""The one form in which Anbefal writes a moment: ISO 8601 UTC, to the second.

Stored times are compared as text in SQL (a period's bounds, the hourly
clean-up's cut-off), which is right only while every writer uses this form.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_utc(moment: datetime) -> str:
    """Return *moment* (an aware datetime) in the stored form."""
    return moment.astimezone(UTC).strftime(FORMAT)


def utcnow() -> str:
    """Return the current time in the stored form."""
    return datetime.now(UTC).strftime(FORMAT)


def utc_seconds_ago(seconds: float) -> str:
    """Return the time *seconds* ago in the stored form."""
    return format_utc(datetime.now(UTC) - timedelta(seconds=seconds))


def readable(stamp: str | None) -> str:
    """Show a stored time as people read it: 2026-11-25 14:03 UTC ("" for none)."""
    if not stamp:
        return ""
    return f"{stamp[:10]} {stamp[11:16]} UTC"


def from_unix(seconds: float) -> str:
    """Return a Unix time in the stored form."""
    return format_utc(datetime.fromtimestamp(seconds, UTC))
