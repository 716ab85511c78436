"""The owner's admin pages: one blueprint at /admin, behind a login.

Every route on the blueprint requires a logged-in user unless it is marked
public (auth.public); see admin.auth for sessions, CSRF and headers.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, url_for

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")


def register(app: Flask) -> None:
    """Add the admin to *app*: its pages, sessions, CSRF protection and headers."""
    from . import auth, comments, followup, touchpoints  # noqa: F401 - their routes register on bp

    # Overview, filters and export: import their modules below.
    # isort: split
    from . import export, overview  # noqa: F401 - their routes register on bp

    overview.check_settings(app)
    # (end of that part)

    auth.init_app(app)
    app.register_blueprint(bp)


def home_url() -> str:
    """Return the admin's first page: the overview where it exists, else the comments."""
    if "admin.overview" in current_app.view_functions:
        return url_for("admin.overview")
    return url_for("admin.comments")


NAV = [
    ("admin.overview", "Overview"),
    ("admin.comments", "Comments"),
    ("admin.followup", "To follow up"),
    ("admin.touchpoints", "Touchpoints"),
]


@bp.context_processor
def _layout() -> dict:
    def admin_nav() -> list[tuple[str, str]]:
        return [(endpoint, label) for endpoint, label in NAV if endpoint in current_app.view_functions]

    from collector import validation
    from collector.nps import category, score_span

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
        "admin_nav": admin_nav,
        "admin_home_url": home_url,
        "category": category,
        "limits": limits,
        "score_span": score_span,
        "when": when,
        "url_with": url_with,
    }


def when(timestamp: str | None) -> str:
    """Show a stored UTC timestamp as 2026-11-25 14:03 UTC."""
    if not timestamp:
        return ""
    return f"{timestamp[:10]} {timestamp[11:16]} UTC"
