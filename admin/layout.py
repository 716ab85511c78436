"""What every admin page's template may use: the menu, times, categories and field limits."""

from __future__ import annotations

from collector import timestamps, validation
from collector.nps import category, score_span
from collector.touchpoint_settings import MAX_TEXT, MAX_URL

from .blueprint import NAV, bp, home_url
from .followup import MAX_NOTE
from .listing import MAX_QUERY, url_with

# The maxlength of the forms' fields: the same numbers that check them.
LIMITS = {
    "property_key": validation.MAX_PROPERTY_KEY,
    "property_value": validation.MAX_PROPERTY_VALUE,
    "ref": validation.MAX_REF,
    "touchpoint_name": validation.MAX_TOUCHPOINT_NAME,
    "note": MAX_NOTE,
    "query": MAX_QUERY,
    "text": MAX_TEXT,
    "url": MAX_URL,
}


@bp.context_processor
def _layout() -> dict:
    return {
        "admin_nav": NAV,
        "admin_home_url": home_url,
        "category": category,
        "limits": LIMITS,
        "score_span": score_span,
        "when": timestamps.readable,
        "url_with": url_with,
    }
