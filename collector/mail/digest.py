"""The digest's figures: per touchpoint the overview's own card (NPS, margin
of error, change and whether it is more than chance, target and gap,
answers) for the digest's period, the open and overdue detractors, and the
newest comments of each category. The figures come from admin.stats, the
functions the overview itself uses, so the two always agree."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from admin import stats
from admin.filters import Filters
from collector import nps, storage, timestamps

SEND_AT = time(8, 0)  # local time, in ANBEFAL_TIMEZONE
WEEKDAY = 0  # Monday
COMMENTS_PER_CATEGORY = 3
OVERDUE_NAMED = 10


@dataclass(frozen=True)
class Period:
    frequency: str  # weekly or daily
    since: date  # first day, inclusive
    until: date  # last day, inclusive
    sent_at: datetime  # the moment it is due (aware)

    @property
    def key(self) -> str:
        return f"{self.frequency}:{self.until.isoformat()}"

    def as_body(self) -> dict[str, str]:
        return {"frequency": self.frequency, "since": self.since.isoformat(), "until": self.until.isoformat()}

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Period:
        until = date.fromisoformat(body["until"])
        return cls(body["frequency"], date.fromisoformat(body["since"]), until, datetime.combine(until, SEND_AT))


def latest_period(frequency: str, now: datetime, zone: str) -> Period:
    """The digest period whose mail was due last at or before *now*: the week
    (Monday to Sunday) before the latest Monday 08:00, or the day before the latest 08:00."""
    local = now.astimezone(ZoneInfo(zone))
    due_day = local.date() if local.time() >= SEND_AT else local.date() - timedelta(days=1)
    if frequency == "weekly":
        due_day -= timedelta(days=(due_day.weekday() - WEEKDAY) % 7)
        since = due_day - timedelta(days=7)
    else:
        since = due_day - timedelta(days=1)
    sent_at = datetime.combine(due_day, SEND_AT, tzinfo=ZoneInfo(zone))
    return Period(frequency, since, due_day - timedelta(days=1), sent_at)


def filters_for(period: Period) -> Filters:
    """The overview's filters for *period*: a custom range of whole days."""
    return Filters(period="custom", since=period.since, until=period.until, today=period.until + timedelta(days=1))


@dataclass
class Row:
    card: stats.Card
    open_detractors: int
    overdue: int


@dataclass
class Digest:
    period: Period
    previous: Filters | None
    rows: list[Row]
    overdue: list[dict[str, Any]] = field(default_factory=list)  # open detractors past their due time
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by category

    @property
    def total(self) -> Row:
        return self.rows[0]


def build(conn: sqlite3.Connection, period: Period, min_answers: int, now: str | None = None) -> Digest:
    """Compute the digest of *period*, for every touchpoint and all together."""
    now = now or timestamps.utcnow()
    flt = filters_for(period)
    touchpoints = storage.list_touchpoints(conn)
    view = stats.build_overview(conn, flt, touchpoints, min_answers)
    open_counts = storage.open_detractors_by_touchpoint(conn, flt.response_filter())
    overdue_counts = storage.overdue_by_touchpoint(conn, now)
    rows = []
    for card in view.cards:
        if card.touchpoint is None:
            rows.append(Row(card, sum(open_counts.values()), sum(overdue_counts.values())))
        else:
            rows.append(Row(card, open_counts.get(card.touchpoint.id, 0), overdue_counts.get(card.touchpoint.id, 0)))
    overdue = storage.list_responses(conn, overdue_at=now, limit=OVERDUE_NAMED).rows
    comments = {
        category: storage.list_responses(
            conn, flt.response_filter(), category=category, commented=True, limit=COMMENTS_PER_CATEGORY
        ).rows
        for category in nps.CATEGORIES
    }
    return Digest(period, flt.previous(), rows, overdue, comments)
