"""POST /api/v1/links: per-recipient survey links over HTTP, for helpdesks,
shops and mail tools that can call an API before they send a mail.

Server to server, with an API key: no CORS, so no browser page can call it.
"""

from __future__ import annotations

from flask import Blueprint, request

from .. import api_keys, storage, validation
from ..db import get_db
from ..errors import ApiError
from ..snippet import public_url
from .making import LinkError, RecipientLink, check_ref, iso_time, parse_expires

bp = Blueprint("link_api", __name__, url_prefix="/api/v1")

LINK_FIELDS = {"touchpoint", "ref", "score", "expires"}
MAX_BODY = 4 * 1024


@bp.post("/links")
def create_link():
    """Make a survey link whose ref is signed, for one recipient."""
    request.max_content_length = MAX_BODY
    api_keys.require_api_key("links")
    body = validation.parse_json_body(request)
    validation.only_fields(body, LINK_FIELDS)
    name = validation.text(body.get("touchpoint"), "touchpoint", validation.MAX_TOUCHPOINT_NAME, required=True)
    score = validation.score(body["score"]) if body.get("score") is not None else None
    try:
        expires_in = parse_expires(body.get("expires"))
        ref = check_ref(body.get("ref"))
    except LinkError as exc:
        raise ApiError(400, exc.code, str(exc)) from None
    touchpoint = storage.get_touchpoint_by_name(get_db(), name or "")
    if touchpoint is None:
        raise ApiError(404, "unknown_touchpoint", "no touchpoint has that name")
    link = RecipientLink(touchpoint, ref, public_url(), expires_in)
    return {
        "touchpoint": touchpoint.name,
        "ref": link.ref,
        "url": link.url(score),
        "score_urls": link.score_urls(),
        "expires_at": iso_time(link.expires_at),
    }, 201
