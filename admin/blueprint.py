"""The admin's blueprint at /admin, and what every one of its pages shows (the menu, times)."""

from __future__ import annotations

from flask import Blueprint, url_for

from collector.nps import category

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
    from .listing import url_with

    return {
        "admin_nav": NAV,
        "admin_home_url": home_url,
        "category": category,
        "when": when,
        "url_with": url_with,
    }
