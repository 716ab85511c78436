"""The overview page at /admin/: first a summary (NPS of all touchpoints and
a row per touchpoint: margin of error, answers, target and gap, change,
detractors to follow up), then NPS by the values of one property, other
figures' partials, and a card per touchpoint with its trend and distribution."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from collector import nps, storage
from collector.db import get_db

from . import action_matrix, charts, filters, ownership, reach, stats, themes
from .auth import login_required
from .blueprint import bp
from .export import FORMATS, export_url


@bp.get("/")
@login_required
def overview():
    """Show the figures for the filters in the URL."""
    conn = get_db()
    touchpoints = storage.list_touchpoints(conn)
    flt, errors = filters.parse(request.args, touchpoint_ids={tp.id for tp in touchpoints})
    if request.args and not errors and not filters.is_canonical(request.args, flt):
        # A submitted form carries empty fields and helpers: send the browser
        # to the tidy URL of the same view, which is what gets bookmarked.
        return redirect(url_for("admin.overview") + "?" + flt.query())

    min_answers = current_app.config["MIN_ANSWERS"]
    view = stats.build_overview(conn, flt, touchpoints, min_answers)
    open_counts = storage.open_detractors_by_touchpoint(conn, flt.response_filter())
    overdue = ownership.overdue_counts(flt.response_filter(), open_counts)
    for card in view.cards:
        card.open_detractors = open_counts.get(card.touchpoint.id, 0) if card.touchpoint else sum(open_counts.values())
        card.overdue_detractors = overdue.get(card.touchpoint.id, 0) if card.touchpoint else sum(overdue.values())

    # Other figures of the overview add one call here, each filling its own
    # name in `extras` for its partial in the template (below the summary).
    extras: dict[str, object] = {}

    keys = set(storage.property_keys_in_use(conn)) | {key for key, _ in flt.properties}
    if flt.breakdown:
        keys.add(flt.breakdown)
    html = render_template(
        "admin/overview.html",
        flt=flt,
        errors=errors,
        view=view,
        overall=next((card for card in view.cards if card.touchpoint is None), None),
        rows=stats.summary_order(view.cards),
        extras=extras,
        more_filters_open=_more_filters_open(flt),
        touchpoints=touchpoints,
        property_keys=sorted(keys),
        periods=filters.PERIODS,
        channels=filters.CHANNELS,
        intervals=filters.INTERVALS,
        formats=FORMATS,
        export_url=export_url,
        page_url=_page_url,
        with_property=_with_property,
        charts=charts,
        format_nps=nps.format_nps,
        signed=nps.format_change,
        previous=flt.previous(),
        total=view.cards[0].summary.n if view.cards else 0,
        overdue=overdue,
        themes=themes.build(conn, flt),
        reach_rows=reach.response_rates(conn, flt, touchpoints),
        matrices=action_matrix.for_overview(conn, flt, touchpoints, min_answers),
    )
    return html, 400 if errors else 200


def _more_filters_open(flt: filters.Filters) -> bool:
    """Show the filters behind "More filters" when one of them is in use."""
    return flt.period == "custom" or bool(flt.properties) or bool(flt.breakdown) or flt.interval != "auto"


def _page_url(endpoint: str, flt: filters.Filters, card: stats.Card) -> str:
    """Another admin page (comments, follow-up) with this card's filters."""
    touchpoint_id = card.touchpoint.id if card.touchpoint else flt.touchpoint_id
    # The breakdown and the trend's steps are the overview's own.
    return url_for(endpoint) + "?" + flt.query(touchpoint_id=touchpoint_id, breakdown=None, interval="auto")


def _with_property(flt: filters.Filters, key: str, value: str) -> str:
    """This view, limited to answers whose property *key* is *value*."""
    properties = tuple(sorted({**flt.property_dict, key: value}.items()))
    return url_for("admin.overview") + "?" + flt.query(properties=properties, breakdown=None)
