"""The next step offered with the thanks: per touchpoint and category, a text
and an address ("Would you review us?" for promoters, "Talk to us" for
detractors).

The link goes through the collector's GET /api/v1/next, which counts the
click and sends the browser on to the owner's address, filled in there with
{score} and {ref} where the owner wrote them (and only there).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import url_for

from . import nps, storage
from .db import get_tokens


def offer(touchpoint: storage.Touchpoint, score: int, ref: str | None) -> dict[str, Any] | None:
    """Return {"text", "url"} of the next step for an answer of *score*, or None.

    The URL is the collector's own path (the widget puts its origin before
    it); it carries the ref only when the owner's address asks for {ref}.
    """
    step = touchpoint.next_step(nps.category(score))
    if step is None:
        return None
    text, address = step
    query: dict[str, Any] = {"token": get_tokens().make_embed_token(touchpoint.id), "score": score}
    if ref and "{ref}" in address:
        query["ref"] = ref
    return {"text": text, "url": url_for("api.follow_next_step") + "?" + urlencode(query)}
