"""The overview's response rate: per touchpoint, how often the widget was
shown, dismissed and answered, and how often its next step was followed."""

from __future__ import annotations

from dataclasses import dataclass

from collector import storage

from .filters import Filters


@dataclass(frozen=True)
class ReachRow:
    name: str
    reach: storage.Reach


def response_rates(conn, flt: Filters, touchpoints: list[storage.Touchpoint]) -> list[ReachRow]:
    """Return a row per touchpoint shown by the filters (and one for all of them together),
    over the filters' days; the counters know no channel or property."""
    found = storage.reach_by_touchpoint(
        conn, flt.since.isoformat() if flt.since else None, flt.until.isoformat() if flt.until else None
    )
    rows = [
        ReachRow(tp.name, found.get(tp.id, storage.Reach())) for tp in touchpoints if flt.touchpoint_id in (None, tp.id)
    ]
    if len(rows) > 1:
        rows.append(ReachRow("All touchpoints", sum((row.reach for row in rows), storage.Reach())))
    return rows
