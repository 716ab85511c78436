"""Touchpoints: where an answer was asked (checkout, invoice, support...)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..timestamps import utcnow

TOUCHPOINT_FIELDS = (
    "question",
    "language",
    "origins",
    "target_nps",
    "sample_rate",
    "repeat_days",
    "followup_detractor",
    "followup_passive",
    "followup_promoter",
    # Who is asking, on the survey link page: collector.links.sender.
    "sender_name",
    "logo_url",
    "brand_colour",
    "coloured_scale",
    # Where the widget shows and how it looks (collector.look).
    "widget_position",
    "accent_colour",
    "text_colour",
    "font_family",
    "corner_radius",
    "require_verified",
    "next_detractor_text",
    "next_detractor_url",
    "next_passive_text",
    "next_passive_url",
    "next_promoter_text",
    "next_promoter_url",
    # How long its detractors may wait for a follow-up (collector.mail).
    "followup_hours",
)


@dataclass
class Touchpoint:
    id: int
    name: str
    question: str | None
    language: str | None
    origins: list[str]
    target_nps: int | None
    sample_rate: float
    repeat_days: int
    followup_detractor: str | None
    followup_passive: str | None
    followup_promoter: str | None
    created_at: str
    owner_user_id: int | None = None  # who follows its detractors up
    followup_hours: int = 48  # a detractor is due this long after the answer
    sender_name: str | None = None
    logo_url: str | None = None
    brand_colour: str | None = None
    coloured_scale: int = 0
    widget_position: str | None = None
    accent_colour: str | None = None
    text_colour: str | None = None
    font_family: str | None = None
    corner_radius: int | None = None
    # Answers must carry a valid signature (see collector.customers).
    require_verified: bool = False
    # The next step offered with the thanks, per category: a text and a URL.
    next_detractor_text: str | None = None
    next_detractor_url: str | None = None
    next_passive_text: str | None = None
    next_passive_url: str | None = None
    next_promoter_text: str | None = None
    next_promoter_url: str | None = None

    def next_step(self, category: str) -> tuple[str, str] | None:
        """Return the (text, URL template) offered to *category* after the answer, or None."""
        text = getattr(self, f"next_{category}_text")
        url = getattr(self, f"next_{category}_url")
        return (text, url) if text and url else None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Touchpoint:
        data = dict(row)
        data["origins"] = json.loads(data["origins"] or "[]")
        data["require_verified"] = bool(data.get("require_verified"))
        return cls(**data)


class DuplicateName(ValueError):
    """A touchpoint with that name exists already."""


def _touchpoint_values(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TOUCHPOINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown touchpoint fields: {sorted(unknown)}")
    values = dict(fields)
    if "origins" in values:
        values["origins"] = json.dumps(list(values["origins"] or []))
    return values


def insert_touchpoint(conn: sqlite3.Connection, name: str, **fields: Any) -> Touchpoint:
    """Create a touchpoint and return it."""
    values = _touchpoint_values(fields)
    values["name"] = name
    values["created_at"] = utcnow()
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    try:
        cur = conn.execute(f"INSERT INTO touchpoints ({columns}) VALUES ({marks})", tuple(values.values()))
    except sqlite3.IntegrityError as exc:
        raise DuplicateName(name) from exc
    found = get_touchpoint(conn, cur.lastrowid)
    assert found is not None
    return found


def update_touchpoint(conn: sqlite3.Connection, touchpoint_id: int, **fields: Any) -> Touchpoint | None:
    """Change some fields of a touchpoint (name included) and return it."""
    name = fields.pop("name", None)
    values = _touchpoint_values(fields)
    if name is not None:
        values["name"] = name
    if values:
        assignments = ", ".join(f"{column} = ?" for column in values)
        try:
            conn.execute(
                f"UPDATE touchpoints SET {assignments} WHERE id = ?",
                (*values.values(), touchpoint_id),
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateName(name or "") from exc
    return get_touchpoint(conn, touchpoint_id)


_TOUCHPOINT_BY_ID = "SELECT * FROM touchpoints WHERE id = ?"


def get_touchpoint(conn: sqlite3.Connection, touchpoint_id: int) -> Touchpoint | None:
    row = conn.execute(_TOUCHPOINT_BY_ID, (touchpoint_id,)).fetchone()
    return Touchpoint.from_row(row) if row else None


# Every answer reads its touchpoint. The row is read each time, so an edited
# touchpoint (its origins, say) counts at once, but turning the same values
# into a Touchpoint again (JSON, dataclass) is skipped: equal rows share one,
# per process, which callers only read.
_SHARED_TOUCHPOINTS: dict[tuple, Touchpoint] = {}


def get_touchpoint_shared(conn: sqlite3.Connection, touchpoint_id: int) -> Touchpoint | None:
    """Like get_touchpoint, for callers that never change what they get."""
    row = conn.execute(_TOUCHPOINT_BY_ID, (touchpoint_id,)).fetchone()
    if row is None:
        return None
    values = tuple(row)
    touchpoint = _SHARED_TOUCHPOINTS.get(values)
    if touchpoint is None:
        if len(_SHARED_TOUCHPOINTS) >= 256:
            _SHARED_TOUCHPOINTS.clear()  # old versions of edited touchpoints; a site has a handful
        touchpoint = _SHARED_TOUCHPOINTS[values] = Touchpoint.from_row(row)
    return touchpoint


def get_touchpoint_by_name(conn: sqlite3.Connection, name: str) -> Touchpoint | None:
    row = conn.execute("SELECT * FROM touchpoints WHERE name = ?", (name,)).fetchone()
    return Touchpoint.from_row(row) if row else None


def list_touchpoints(conn: sqlite3.Connection) -> list[Touchpoint]:
    rows = conn.execute("SELECT * FROM touchpoints ORDER BY name").fetchall()
    return [Touchpoint.from_row(row) for row in rows]
