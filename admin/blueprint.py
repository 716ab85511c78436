"""The admin's blueprint at /admin, and what every one of its pages shows (the menu, times)."""

from __future__ import annotations

from flask import Blueprint, url_for

from collector.nps import category, score_span

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")

NAV = [
    ("admin.overview", "Overview"),
    ("admin.comments", "Comments"),
    ("admin.followup", "To follow up"),
    ("admin.touchpoints", "Touchpoints"),
]


def home_url() -> str:
    """Return the admin's first page, the overview."""
    return url_for("admin.overview")


def when(timestamp: str | None) -> str:
    """Show a stored UTC timestamp as 2026-11-25 14:03 UTC."""
    if not timestamp:
        return ""
    return f"{timestamp[:10]} {timestamp[11:16]} UTC"


@bp.context_processor
def _layout() -> dict:
    from collector import validation

    from .followup import MAX_NOTE
    from .listing import MAX_QUERY, url_with
    from .touchpoint_form import MAX_TEXT

    # The maxlength of the forms' fields: the same numbers that check them.
    limits = {
        "property_key": validation.MAX_PROPERTY_KEY,
        "property_value": validation.MAX_PROPERTY_VALUE,
        "ref": validation.MAX_REF,
        "touchpoint_name": validation.MAX_TOUCHPOINT_NAME,
        "note": MAX_NOTE,
        "query": MAX_QUERY,
        "text": MAX_TEXT,
    }
    return {
        "admin_nav": NAV,
        "admin_home_url": home_url,
        "category": category,
        "limits": limits,
        "score_span": score_span,
        "when": when,
        "url_with": url_with,
    }
