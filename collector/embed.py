"""Routes for the page that embeds a survey: the widget script, the demo
shop page, the icon and the health check."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request

from . import demo_page, i18n, security, storage
from .assets import ENCODINGS, widget_asset
from .db import get_db, get_tokens
from .errors import error_response
from .snippet import snippet_html

bp = Blueprint("embed", __name__)

# The plain URL is what old snippets and hand-written tags use: browsers keep
# it for an hour, then revalidate. The versioned URL (in every snippet printed
# since) names the content, so it may be kept for a year without a request.
SHORT_CACHE = "public, max-age=3600"
LONG_CACHE = "public, max-age=31536000, immutable"
ICON = "anbefal-icon.svg"


@bp.get("/favicon.ico")
def favicon():
    """Anbefal's icon, which every page names and browsers ask for anyway (an SVG, which they all draw)."""
    body = (Path(current_app.static_folder or "") / ICON).read_bytes()
    response = current_app.response_class(body, mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/anbefal.js")
def widget_script():
    """Serve the widget, compressed, with an ETag so browsers revalidate cheaply."""
    return _serve_widget(SHORT_CACHE)


@bp.get("/anbefal-<version>.js")
def versioned_widget_script(version: str):
    """Serve the widget under its content's name, cached for good.

    An older version's name (a snippet pasted before an upgrade) still gets
    the current widget, but with the short cache: that URL no longer names
    what it returns.
    """
    return _serve_widget(LONG_CACHE if version == widget_asset().version else SHORT_CACHE)


def _serve_widget(cache_control: str):
    asset = widget_asset()
    encoding = _encoding()
    response = current_app.response_class(asset.encoded(encoding), mimetype="text/javascript")
    response.set_etag(asset.etag_for(encoding))
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Encoding"
    security.apply(response, "public")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    return response.make_conditional(request)


def _encoding() -> str:
    """The smallest encoding the browser accepts (brotli, then gzip), or "" for the plain file."""
    accepted = request.accept_encodings
    return next((name for name in ENCODINGS if name and accepted[name] > 0), "")


@bp.get("/healthz")
def healthz():
    """Answer 200 while answers can be written, 503 with the reason while they cannot."""
    if not storage.is_reachable(get_db()):
        return error_response(503, "database_unreachable", "the database does not answer")
    fault = _write_fault()
    if fault is not None:
        return error_response(503, fault.code, fault.message, {"Retry-After": str(fault.retry_after)})
    return {"status": "ok"}


# A worker probes at most this often; in between, /healthz repeats its last finding.
PROBE_EVERY = 5.0
PROBE_BUSY_TIMEOUT_MS = 1000
_probed: dict[tuple[int, str], tuple[float, storage.Fault | None]] = {}
_probe_lock = threading.Lock()


def _write_fault() -> storage.Fault | None:
    """The storage fault a small real write meets now (None: it commits), cached for PROBE_EVERY seconds."""
    path = current_app.config["DB"]
    key = (os.getpid(), path)
    with _probe_lock:
        at, fault = _probed.get(key, (-PROBE_EVERY, None))
        if time.monotonic() - at < PROBE_EVERY:
            return fault
        try:
            storage.probe_write(path, min(PROBE_BUSY_TIMEOUT_MS, current_app.config["BUSY_TIMEOUT"]))
            fault = None
        except (sqlite3.Error, OSError) as exc:
            fault = storage.classify_fault(exc)
            if fault is None:
                raise
            if fault.code == "storage_read_only":
                storage.reopen_connections()  # see collector.errors
        _probed[key] = (time.monotonic(), fault)
        return fault


DEMO_TOUCHPOINT = "demo-checkout"


@bp.get("/demo")
def demo():
    """A pretend shop's order confirmation page with the snippet pasted in."""
    if not current_app.config.get("DEMO"):
        abort(404)
    touchpoint = storage.get_touchpoint_by_name(get_db(), DEMO_TOUCHPOINT)
    if touchpoint is None:
        abort(404)
    # ?lang= tries the survey in another language, the way a shop's snippet would.
    lang = request.args.get("lang")
    if lang not in i18n.LANGUAGES:
        lang = None
    # A new order number on every visit, as on a real confirmation page: each
    # answer is a response of its own.
    order = f"FK-{secrets.randbelow(900000) + 100000}"
    snippet = snippet_html(
        get_tokens().make_embed_token(touchpoint.id),
        ref=order,
        properties=json.dumps({"segment": "private", "delivery": "parcel shop"}),
        lang=lang,
    )
    languages = [(code, i18n.TEXTS[code]["name"]) for code in i18n.LANGUAGES]
    # The shop speaks the survey's language, as a real shop's page would.
    texts = demo_page.page_texts(lang or "en")
    return render_template("demo.html", snippet=snippet, order=order, lang=lang or "en", languages=languages, t=texts)
