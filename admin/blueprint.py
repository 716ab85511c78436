"""The admin's blueprint at /admin, its menu, its first page, and the
touchpoint a page's address names."""

from __future__ import annotations

from flask import Blueprint, abort, url_for

from collector import storage
from collector.db import get_db

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


def touchpoint_or_404(touchpoint_id: int) -> storage.Touchpoint:
    """The touchpoint a page's address names; a 404 page when there is none."""
    tp = storage.get_touchpoint(get_db(), touchpoint_id)
    if tp is None:
        abort(404)
    return tp
