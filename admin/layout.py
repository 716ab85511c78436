"""What every admin page's template may use: the menu, times, categories and field limits."""

from __future__ import annotations

from collector import validation
from collector.nps import category, score_span

from .blueprint import NAV, bp, home_url
from .followup import MAX_NOTE
from .listing import MAX_QUERY, url_with
from .touchpoint_form import MAX_TEXT

# The maxlength of the forms' fields: the same numbers that check them.
LIMITS = {
    "property_key": validation.MAX_PROPERTY_KEY,
    "property_value": validation.MAX_PROPERTY_VALUE,
    "ref": validation.MAX_REF,
    "touchpoint_name": validation.MAX_TOUCHPOINT_NAME,
    "note": MAX_NOTE,
    "query": MAX_QUERY,
    "text": MAX_TEXT,
}


def when(timestamp: str | None) -> str:
    """Show a stored UTC timestamp as 2026-11-25 14:03 UTC."""
    if not timestamp:
        return ""
    return f"{timestamp[:10]} {timestamp[11:16]} UTC"


@bp.context_processor
def _layout() -> dict:
    return {
        "admin_nav": NAV,
        "admin_home_url": home_url,
        "category": category,
        "limits": LIMITS,
        "score_span": score_span,
        "when": when,
        "url_with": url_with,
    }
