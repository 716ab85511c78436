"""How far the widget reaches: shown, dismissed and next-step counters per
touchpoint and day, and the verified customers' quiet days."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..timestamps import utcnow
from . import rollups
from .filters import ResponseFilter
from .group_commit import write_answer

# What the widget reports, and the counter each one adds to.
EVENTS = ("shown", "dismissed", "clicked")


@dataclass(frozen=True)
class Reach:
    """One touchpoint's counters over a range of days."""

    shown: int = 0
    dismissed: int = 0
    answered: int = 0
    clicked: int = 0

    def __add__(self, other: Reach) -> Reach:
        return Reach(
            *(getattr(self, name) + getattr(other, name) for name in ("shown", "dismissed", "answered", "clicked"))
        )

    @property
    def response_rate(self) -> float | None:
        """Answers per showing of the widget, 0 to 1; None before it was shown."""
        return min(self.answered / self.shown, 1.0) if self.shown else None

    @property
    def rate_text(self) -> str:
        """The response rate as people read it: 23%, or — before the widget was shown."""
        rate = self.response_rate
        return "—" if rate is None else f"{round(rate * 100)}%"

    def as_dict(self) -> dict[str, int | float | None]:
        rate = self.response_rate
        return {
            "shown": self.shown,
            "dismissed": self.dismissed,
            "answered": self.answered,
            "clicked": self.clicked,
            "response_rate": None if rate is None else round(rate, 4),
        }


def count_event(conn: sqlite3.Connection, touchpoint_id: int, event: str) -> None:
    """Add one to today's counter of *event* for the touchpoint; committed
    with the answers that arrive together, as an answer is."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    sql = f"""
        INSERT INTO reach_days (day, touchpoint_id, {event}) VALUES (substr(?, 1, 10), ?, 1)
        ON CONFLICT (day, touchpoint_id) DO UPDATE SET {event} = {event} + 1
    """
    params = (utcnow(), touchpoint_id)
    write_answer(conn, lambda c: c.execute(sql, params), one_statement=True)


def reach_by_touchpoint(
    conn: sqlite3.Connection, since: str | None = None, until: str | None = None
) -> dict[int, Reach]:
    """Return {touchpoint_id: Reach} for the days from *since* to *until*
    (YYYY-MM-DD, inclusive; None: no bound). Answered counts the widget's
    answers only (survey links are never shown by the widget), and only from
    the day the touchpoint's widget first counted a showing: answers from
    before that (a widget that did not count yet) have no showings to go
    with them."""
    found: dict[int, Reach] = {}
    for tp_id, shown, dismissed, clicked in conn.execute(
        """SELECT touchpoint_id, sum(shown), sum(dismissed), sum(clicked) FROM reach_days
           WHERE day >= coalesce(?, '') AND day <= coalesce(?, '9999') GROUP BY touchpoint_id""",
        (since, until),
    ):
        found[tp_id] = Reach(shown, dismissed, 0, clicked)
    first_shown = conn.execute("SELECT touchpoint_id, min(day) FROM reach_days WHERE shown > 0 GROUP BY touchpoint_id")
    for tp_id, first in first_shown.fetchall():
        start = max(since, first) if since else first
        if until and start > until:
            continue
        widget = ResponseFilter(touchpoint_id=tp_id, channel="widget", since=start, until=until)
        source, params = rollups.read(conn, "response_days", [], [], widget, "n")
        answered = conn.execute(f"SELECT COALESCE(SUM(n), 0) FROM {source}", params).fetchone()[0]
        if answered:
            found[tp_id] = found.get(tp_id, Reach()) + Reach(answered=answered)
    return found


def mark_customer(conn: sqlite3.Connection, customer_hash: str) -> None:
    """Note that a verified customer answered or dismissed a survey just now."""
    params = (customer_hash, utcnow())
    sql = """
        INSERT INTO customer_quiet (customer_hash, last_at) VALUES (?, ?)
        ON CONFLICT (customer_hash) DO UPDATE SET last_at = excluded.last_at
    """
    write_answer(conn, lambda c: c.execute(sql, params), one_statement=True)


def customer_seen_since(conn: sqlite3.Connection, customer_hash: str, since: str) -> bool:
    """Return True when the customer answered or dismissed a survey at or after *since*."""
    row = conn.execute(
        "SELECT 1 FROM customer_quiet WHERE customer_hash = ? AND last_at >= ?", (customer_hash, since)
    ).fetchone()
    return row is not None


def forget_quiet_customers_before(conn: sqlite3.Connection, before: str) -> int:
    """Delete the quiet-days rows of customers last seen before *before*; return how many."""
    return conn.execute("DELETE FROM customer_quiet WHERE last_at < ?", (before,)).rowcount
