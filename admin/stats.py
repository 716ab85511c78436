"""The overview's statistics: NPS with its margin of error per touchpoint and
all together, the gap to the target, the change against the previous period,
the trend by week or month, the 0-10 distribution, and NPS by property value.

The arithmetic is collector.nps's; this module groups the counts storage
returns into what the overview shows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from collector import nps, storage
from collector.nps import change, change_margin, gap
from collector.settings import DEFAULTS

from .filters import Filters

# The breakdown shows this many property values (most answers first).
BREAKDOWN_LIMIT = 30

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class TrendPoint:
    """One week or month of the trend."""

    start: date
    label: str
    summary: nps.Summary


@dataclass
class Card:
    """The figures of one touchpoint, or of all of them together (touchpoint None)."""

    name: str
    touchpoint: storage.Touchpoint | None
    summary: nps.Summary
    previous: nps.Summary | None
    min_answers: int
    trend: list[TrendPoint] = field(default_factory=list)
    distribution: list[int] = field(default_factory=lambda: [0] * 11)
    open_detractors: int | None = None
    # Detractors past their follow-up deadline, where deadlines exist (None: not counted).
    overdue_detractors: int | None = None

    @property
    def target(self) -> int | None:
        return self.touchpoint.target_nps if self.touchpoint else None

    @property
    def few_answers(self) -> bool:
        return self.summary.n < self.min_answers

    @property
    def gap(self) -> int | None:
        return gap(self.summary, self.target)

    @property
    def change(self) -> int | None:
        return change(self.summary, self.previous)

    @property
    def change_margin(self) -> float | None:
        return change_margin(self.summary, self.previous)

    @property
    def change_is_clear(self) -> bool:
        """True when the change is larger than its margin of error."""
        margin = self.change_margin
        return self.change is not None and margin is not None and abs(self.change) > margin

    @property
    def key(self) -> str:
        """A stable id for HTML anchors and chart ids."""
        return f"tp{self.touchpoint.id}" if self.touchpoint else "all"


def summary_order(cards: list[Card]) -> list[Card]:
    """The touchpoints' cards for the summary table, furthest below target first.

    Touchpoints without a target (or without answers) follow, lowest NPS first,
    and those with no answers at all come last.
    """

    def key(card: Card) -> tuple:
        if card.gap is not None:
            return (0, card.gap, card.name)
        if card.summary.nps is not None:
            return (1, card.summary.nps, card.name)
        return (2, 0, card.name)

    return sorted((card for card in cards if card.touchpoint is not None), key=key)


@dataclass
class BreakdownRow:
    value: str | None  # None: answers without this property
    summary: nps.Summary


@dataclass
class Breakdown:
    key: str
    rows: list[BreakdownRow]
    hidden_values: int  # values left out beyond BREAKDOWN_LIMIT
    min_answers: int


@dataclass
class Overview:
    filters: Filters
    cards: list[Card]
    breakdown: Breakdown | None


def bucket_start(day: date, interval: str) -> date:
    """The first day of the week (Monday) or month that *day* falls in."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_label(start: date, interval: str) -> str:
    if interval == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{_MONTHS[start.month - 1]} {start.year}"


def _next_bucket(start: date, interval: str) -> date:
    if interval == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def trend_buckets(first: date, last: date, interval: str) -> list[date]:
    """Every bucket start from the one holding *first* to the one holding *last*."""
    starts = []
    current = bucket_start(first, interval)
    while current <= last:
        starts.append(current)
        current = _next_bucket(current, interval)
    return starts


def build_overview(
    conn: sqlite3.Connection,
    flt: Filters,
    touchpoints: list[storage.Touchpoint],
    min_answers: int = DEFAULTS["MIN_ANSWERS"],
) -> Overview:
    """Compute every card of the overview (and the breakdown) for *flt*."""
    previous = flt.previous()
    interval = flt.trend_interval
    # One query covers the previous period and this one, grouped by week or
    # month, with the previous period as one group of its own.
    scan = flt.response_filter()
    if previous is not None and previous.since is not None:
        scan.since = previous.since.isoformat()
    since = flt.since.isoformat() if flt.since else None
    rows = storage.score_counts_by_period(conn, scan, interval, before=since if previous is not None else None)

    shown = [tp for tp in touchpoints if flt.touchpoint_id in (None, tp.id)]
    now: dict[int, list[int]] = {tp.id: [0] * 11 for tp in shown}
    before: dict[int, list[int]] = {tp.id: [0] * 11 for tp in shown}
    buckets: dict[int, dict[date, list[int]]] = {tp.id: {} for tp in shown}
    starts_seen: dict[str, date] = {}
    for tp_id, bucket, score, count in rows:
        if tp_id not in now:
            continue  # a touchpoint not shown, or deleted meanwhile
        if bucket is None:
            before[tp_id][score] += count
            continue
        start = starts_seen.get(bucket)
        if start is None:
            start = starts_seen[bucket] = date.fromisoformat(bucket)
        now[tp_id][score] += count
        counts = buckets[tp_id].get(start)
        if counts is None:
            counts = buckets[tp_id][start] = [0] * 11
        counts[score] += count
    first_day = min(starts_seen.values()) if starts_seen else None

    first = flt.since or first_day
    last = flt.until or flt.today
    starts = trend_buckets(first, last, interval) if first and first <= last else []

    def card(name: str, tp: storage.Touchpoint | None, scores: list[int], prev: list[int], by: dict) -> Card:
        return Card(
            name=name,
            touchpoint=tp,
            summary=nps.summary_from_scores(enumerate(scores)),
            previous=nps.summary_from_scores(enumerate(prev)) if previous is not None else None,
            min_answers=min_answers,
            trend=[
                TrendPoint(start, bucket_label(start, interval), nps.summary_from_scores(enumerate(by.get(start, ()))))
                for start in starts
            ],
            distribution=list(scores),
        )

    cards = [card(tp.name, tp, now[tp.id], before[tp.id], buckets[tp.id]) for tp in shown]
    if flt.touchpoint_id is None:
        all_buckets = {start: _add(buckets[tp.id].get(start) for tp in shown) for start in starts}
        everything = card(
            "All touchpoints",
            None,
            _add(now.values()),
            _add(before.values()),
            all_buckets,
        )
        cards.insert(0, everything)
    breakdown = build_breakdown(conn, flt, flt.breakdown, min_answers) if flt.breakdown else None
    return Overview(filters=flt, cards=cards, breakdown=breakdown)


def _add(lists: Iterable[list[int] | None]) -> list[int]:
    total = [0] * 11
    for counts in lists:
        if counts:
            for score in range(11):
                total[score] += counts[score]
    return total


def build_breakdown(conn: sqlite3.Connection, flt: Filters, key: str, min_answers: int) -> Breakdown:
    """NPS by the values of property *key*, most answers first."""
    counts = storage.breakdown_counts(conn, key, flt.response_filter())
    rows = [BreakdownRow(value, nps.Summary(*triple)) for value, triple in counts.items()]
    # Answers without the property go last, whatever their number.
    rows.sort(key=lambda row: (row.value is None, -row.summary.n, row.value or ""))
    return Breakdown(
        key=key,
        rows=rows[:BREAKDOWN_LIMIT],
        hidden_values=max(0, len(rows) - BREAKDOWN_LIMIT),
        min_answers=min_answers,
    )
