"""Routes for the page that embeds a survey: the widget script, the demo
shop page and the health check."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from flask import Blueprint, abort, current_app, render_template, request

from . import get_db, get_tokens, storage
from .errors import error_response
from .snippet import snippet_html

bp = Blueprint("embed", __name__)

WIDGET_FILE = "anbefal.js"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str


@cache
def widget_asset() -> Asset:
    """Read and compress the widget once per process."""
    body = files("anbefal_widget").joinpath(WIDGET_FILE).read_bytes()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        etag=hashlib.sha256(body).hexdigest()[:16],
    )


@bp.get("/anbefal.js")
def widget_script():
    """Serve the widget, compressed, with an ETag so browsers revalidate cheaply."""
    asset = widget_asset()
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "")
    body = asset.gzipped if gzip_ok else asset.body
    response = current_app.response_class(body, mimetype="text/javascript")
    response.set_etag(asset.etag)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    return response.make_conditional(request)


@bp.get("/healthz")
def healthz():
    """Answer 200 once the database is reachable, 503 while it is not."""
    if storage.is_reachable(get_db()):
        return {"status": "ok"}
    return error_response(503, "database_unreachable", "the database does not answer")


DEMO_TOUCHPOINT = "demo-checkout"


@bp.get("/demo")
def demo():
    """A pretend shop's order confirmation page with the snippet pasted in."""
    if not current_app.config.get("DEMO"):
        abort(404)
    touchpoint = storage.get_touchpoint_by_name(get_db(), DEMO_TOUCHPOINT)
    if touchpoint is None:
        abort(404)
    snippet = snippet_html(get_tokens().make_embed_token(touchpoint.id), ref=None)
    return render_template("demo.html", snippet=snippet)
