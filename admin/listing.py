"""What the comments page and the follow-up view share: reading the list's
parameters from the URL, fetching one page, and links that keep the rest."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request, url_for

from collector import nps, storage
from collector.db import get_db

from . import filters

CATEGORY_LABELS = {
    nps.DETRACTOR: f"Detractors ({nps.score_span(nps.DETRACTOR)})",
    nps.PASSIVE: f"Passives ({nps.score_span(nps.PASSIVE)})",
    nps.PROMOTER: f"Promoters ({nps.score_span(nps.PROMOTER)})",
}
MAX_QUERY = 200


@dataclass
class Listing:
    """One page of responses and what the page says about how it was chosen."""

    page: storage.ResponsePage
    category: str | None = None
    query: str = ""
    notice: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def read_filters(default_period: str | None = None) -> tuple[filters.Filters, list[str]]:
    """Return the filters in the URL (the overview's parameters) and messages about refused values.

    *default_period* replaces the overview's default range when the URL names none.
    """
    args: Any = request.args
    if default_period and not any(args.get(name) for name in ("period", "since", "until")):
        args = args.copy()
        args["period"] = default_period
    ids = {tp.id for tp in storage.list_touchpoints(get_db())}
    return filters.parse(args, touchpoint_ids=ids)


def fetch(
    flt: filters.Filters,
    *,
    commented: bool = False,
    followup: str | None = None,
    by_category: bool = True,
    assignee: int | None = None,
    overdue_at: str | None = None,
) -> Listing:
    """Read category, search and cursor from the URL and fetch that page within *flt*."""
    args = request.args
    category = args.get("category") if by_category and args.get("category") in CATEGORY_LABELS else None
    query = args.get("q", "").strip()[:MAX_QUERY]
    empty = storage.ResponsePage(rows=[], newer=None, older=None)
    search = storage.fts_query(query) if query else None
    if query and search is None:
        notice = "Search for at least one word or number; punctuation alone finds nothing."
        return Listing(empty, category, query, notice)
    try:
        page = storage.list_responses(
            get_db(),
            flt.response_filter(),
            category=category,
            search=search,
            commented=commented,
            followup=followup,
            assignee=assignee,
            overdue_at=overdue_at,
            before=storage.Cursor.decode(args.get("before")),
            after=storage.Cursor.decode(args.get("after")),
            limit=current_app.config["ADMIN_PAGE_SIZE"],
        )
    except sqlite3.OperationalError:
        if search is None:
            raise
        # The query is quoted word by word and should always parse; should
        # SQLite still refuse it, say so instead of failing the page.
        current_app.logger.exception("full-text search failed for %r", query)
        return Listing(empty, category, query, "That search could not be run. Try other words.")
    return Listing(page, category, query)


def url_with(**changes: Any) -> str:
    """Return this page's URL with some parameters changed (None removes one)."""
    params = request.args.to_dict(flat=False)
    for key in ("before", "after"):
        params.pop(key, None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = [value]
    return url_for(request.endpoint or "admin.comments", **request.view_args, **params)  # type: ignore[arg-type]


def filter_context(flt: filters.Filters, errors: list[str]) -> dict[str, Any]:
    """What the filter form of a list page needs."""
    return {
        "flt": flt,
        "filter_errors": errors,
        "categories": CATEGORY_LABELS,
        "periods": filters.PERIODS,
        "channels": filters.CHANNELS,
        "touchpoints": storage.list_touchpoints(get_db()),
    }
