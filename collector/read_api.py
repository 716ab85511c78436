"""The read API: answers, figures and touchpoints for other tools (BI tools,
helpdesks, CRMs), with an API key that has the `read` scope.

    GET /api/v1/responses    the answers as the export has them, newest first, a page at a time
    GET /api/v1/stats        NPS per touchpoint and all together, for a period and the one before
    GET /api/v1/touchpoints  names, ids, languages and targets

Server to server: no CORS, so no web page can make a visitor's browser read
it. Query parameters are read strictly: an unknown, repeated or malformed one
is a 400 that names it, never a guess.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, request

from . import api_keys, nps, params, storage
from .db import get_db
from .errors import ApiError
from .selection import CHANNELS, DEFAULT_PERIOD, PERIODS, parse_date, previous_range, read_range, shown
from .snippet import public_url

bp = Blueprint("read_api", __name__, url_prefix="/api/v1")

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
RANGE = ("period", "since", "until")
RESPONSES_PARAMS = (*RANGE, "touchpoint", "channel", "category", "updated_since", "limit", "cursor")
STATS_PARAMS = (*RANGE, "touchpoint", "channel")

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339 allows a leap second, which Python's datetime does not.
_LEAP_SECOND = re.compile(r"(T[0-9]{2}:[0-9]{2}):60")


def bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


@bp.after_request
def _not_stored(response):
    # Answers and figures are private: no cache on the way may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


class Query:
    """This request's query parameters, of which only *allowed* may be given, each once."""

    def __init__(self, allowed: tuple[str, ...]):
        self.allowed = allowed
        unknown = [name for name in request.args if name not in allowed]
        if unknown:
            raise bad(
                "unknown_parameter",
                f"unknown parameter: {shown(unknown[0])}; this route takes {', '.join(allowed)}",
            )

    def one(self, name: str) -> str:
        """The value of *name*; "" when it is not given."""
        values = [value.strip() for value in request.args.getlist(name)]
        if len(values) > 1:
            raise bad(f"invalid_{name}", f"{name} is given more than once")
        if values and not values[0]:
            raise bad(f"invalid_{name}", f"{name} is empty: give it a value or leave it out")
        return values[0] if values else ""

    def given(self) -> list[tuple[str, str]]:
        """The parameters given, in the allowed order, for a link to the next page."""
        return [(name, self.one(name)) for name in self.allowed if self.one(name)]


def date_range(query: Query, default: str) -> tuple[str, date | None, date | None]:
    """The period chosen by `period`, or by `since` and `until` (days in UTC,
    inclusive), as the admin reads them: a preset period leaves since and until aside."""
    period, since_raw, until_raw = (query.one(name) for name in RANGE)
    if period == "custom":
        raise bad("invalid_period", "for a custom period, leave period out and give since and/or until")
    errors: list[str] = []
    if period in PERIODS:
        # Left aside, but not unread: a malformed day is still a mistake to report.
        parse_date(since_raw, "since", errors)
        parse_date(until_raw, "until", errors)
    found = read_range(
        period, since_raw, until_raw, today(), errors, labels=("since", "until"), default=default, swap=False
    )
    if errors:
        raise bad("invalid_period", errors[0])
    return found


def today() -> date:
    return datetime.now(UTC).date()


def touchpoint_filter(query: Query) -> storage.Touchpoint | None:
    """The touchpoint named by `touchpoint`, or None when it is not given."""
    name = query.one("touchpoint")
    if not name:
        return None
    found = storage.get_touchpoint_by_name(get_db(), name)
    if found is None:
        raise ApiError(
            404, "unknown_touchpoint", f"no touchpoint is called “{shown(name)}” (see GET /api/v1/touchpoints)"
        )
    return found


def choice(query: Query, name: str, choices: tuple[str, ...] | dict[str, str]) -> str | None:
    value = query.one(name)
    if value and value not in choices:
        raise bad(f"invalid_{name}", f"{name} must be one of {', '.join(choices)}, not “{shown(value)}”")
    return value or None


def moment(raw: str) -> str | None:
    """An ISO 8601 time (a date alone is its midnight; no offset is UTC) in the stored form."""
    if not raw:
        return None
    text = _LEAP_SECOND.sub(r"\1:59", raw.upper())
    try:
        if not text.isascii() or len(text) > 40:
            raise ValueError(text)
        found = datetime.fromisoformat(text + "T00:00:00" if _DAY.fullmatch(text) else text)
    except ValueError:
        raise bad(
            "invalid_updated_since", f"updated_since must be a time like 2026-01-31T08:00:00Z, not “{shown(raw)}”"
        ) from None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    try:
        found = found.astimezone(UTC)
    except OverflowError:  # an offset that leaves the calendar: the first or last moment
        found = datetime.min if found.year == 1 else datetime.max
    # isoformat, not strftime: it writes years before 1000 with four digits too.
    return found.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def answer(row: dict[str, Any]) -> dict[str, Any]:
    """One answer as the export has it."""
    return {
        "id": row["id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "touchpoint": row["touchpoint"],
        "touchpoint_id": row["touchpoint_id"],
        "score": row["score"],
        "category": nps.category(row["score"]),
        "comment": row["comment"],
        "ref": row["ref"],
        "channel": row["channel"],
        "locale": row["locale"],
        "page": row["page"],
        "properties": row["properties"],
        "followup_status": row["followup_status"],
        "followup_note": row["followup_note"],
        "followup_by": row["followup_by"],
        "followup_at": row["followup_at"],
        "verified": bool(row["verified"]),
        "drivers": row["drivers"],
    }


@bp.get("/responses")
def list_responses():
    """The answers, newest first, a page at a time."""
    api_keys.require_api_key("read")
    query = Query(RESPONSES_PARAMS)
    _period, since, until = date_range(query, "all")
    touchpoint = touchpoint_filter(query)
    flt = storage.ResponseFilter(
        touchpoint_id=touchpoint.id if touchpoint else None,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        channel=choice(query, "channel", CHANNELS),
    )
    raw_limit = query.one("limit")
    limit = params.whole_number(raw_limit, minimum=1) if raw_limit else DEFAULT_LIMIT
    if limit is None or limit > MAX_LIMIT:
        raise bad("invalid_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    raw_cursor = query.one("cursor")
    cursor = storage.Cursor.decode(raw_cursor)
    if raw_cursor and cursor is None:
        raise bad("invalid_cursor", "cursor is not one this API gave; follow the next link as it is")
    page = storage.list_responses(
        get_db(),
        flt,
        category=choice(query, "category", nps.CATEGORIES),
        updated_since=moment(query.one("updated_since")),
        before=cursor,
        limit=limit,
    )
    following = None
    if page.older is not None:
        pairs = [pair for pair in query.given() if pair[0] != "cursor"] + [("cursor", page.older.encode())]
        following = f"{public_url()}{request.path}?{urlencode(pairs)}"
    return {"responses": [answer(row) for row in page.rows], "next": following}


def figures(current: nps.Summary, previous: nps.Summary | None, target: int | None) -> dict[str, Any]:
    """A group's figures: counts, shares, NPS and its margin, the target's gap and the change."""
    margin = nps.change_margin(current, previous)
    return {
        **current.as_dict(),
        "target": target,
        "gap": nps.gap(current, target),
        "previous": previous.as_dict() if previous is not None else None,
        "change": nps.change(current, previous),
        "change_margin": None if margin is None else round(margin, 1),
    }


def _days(since: date | None, until: date | None) -> dict[str, str | None]:
    return {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None}


@bp.get("/stats")
def stats():
    """NPS per touchpoint and all together, for a period, against the period of the same length before it."""
    api_keys.require_api_key("read")
    query = Query(STATS_PARAMS)
    period, since, until = date_range(query, DEFAULT_PERIOD)
    touchpoint = touchpoint_filter(query)
    channel = choice(query, "channel", CHANNELS)
    before = previous_range(since, until, today())
    # One query covers both periods: the previous one's days add up into the
    # group whose first day is None (as on the admin's overview).
    scan = storage.ResponseFilter(
        touchpoint_id=touchpoint.id if touchpoint else None,
        since=(before[0] if before else since).isoformat() if since else None,
        until=until.isoformat() if until else None,
        channel=channel,
    )
    rows = storage.score_counts_by_period(
        get_db(), scan, "month", before=since.isoformat() if before and since else None
    )
    shown_touchpoints = [touchpoint] if touchpoint else storage.list_touchpoints(get_db())
    now = {tp.id: [0] * 11 for tp in shown_touchpoints}
    then = {tp.id: [0] * 11 for tp in shown_touchpoints}
    for tp_id, bucket, score, count in rows:
        if tp_id in now:  # else deleted meanwhile
            (now if bucket is not None else then)[tp_id][score] += count

    def summary(counts: list[int]) -> nps.Summary:
        return nps.summary_from_scores(enumerate(counts))

    cards = []
    total, total_before = nps.Summary(), nps.Summary()
    for tp in shown_touchpoints:
        current, previous = summary(now[tp.id]), summary(then[tp.id])
        total, total_before = total + current, total_before + previous
        cards.append({"id": tp.id, "name": tp.name, **figures(current, previous if before else None, tp.target_nps)})
    return {
        "period": {"name": period, "label": PERIODS[period], **_days(since, until or (today() if since else None))},
        "previous_period": _days(*before) if before else None,
        "touchpoint": touchpoint.name if touchpoint else None,
        "channel": channel,
        "all": figures(total, total_before if before else None, None),
        "touchpoints": cards,
    }


@bp.get("/touchpoints")
def list_touchpoints():
    """Every touchpoint: its id, name, language and target."""
    api_keys.require_api_key("read")
    Query(())
    return {
        "touchpoints": [
            {
                "id": tp.id,
                "name": tp.name,
                "language": tp.language,
                "question": tp.question,
                "target": tp.target_nps,
                "created_at": tp.created_at,
            }
            for tp in storage.list_touchpoints(get_db())
        ]
    }
