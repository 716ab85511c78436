"""The admin's blueprint at /admin, its menu and its first page."""

from __future__ import annotations

from flask import Blueprint, url_for

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")

NAV = [
    ("admin.overview", "Overview"),
    ("admin.comments", "Comments"),
    ("admin.followup", "To follow up"),
    ("admin.touchpoints", "Touchpoints"),
    ("admin.webhooks", "Webhooks"),
    ("admin.notifications", "My mail"),
]


def home_url() -> str:
    """Return the admin's first page, the overview."""
    return url_for("admin.overview")
