"""What every answer carries for safety, and whom to believe about addresses.

- Behind ANBEFAL_PROXIES reverse proxies, Werkzeug's ProxyFix takes the
  client's address, scheme and host from exactly that many X-Forwarded-*
  entries; with 0 (the default) no X-Forwarded-* header is believed, so a
  visitor cannot forge an address to walk past the rate limits.
- The safety headers of each kind of answer (every answer, the collector's
  pages, survey link pages, admin pages, the admin's widget preview, files
  any site may read) are one table, HEADERS, added by apply(); a header the
  view set itself is kept.
- No answer ever allows credentials across origins.
- A body announced larger than MAX_CONTENT_LENGTH is refused (413) on
  every route before its view runs.
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix


def _policy(*directives: str) -> str:
    return "; ".join(directives)


# Scripts from this server only and nothing inline, no plugins, no <base>;
# each kind then says what it may load, frame and post to.
_STRICT = ("script-src 'self'", "object-src 'none'", "base-uri 'none'")

HEADERS: dict[str, dict[str, str]] = {
    # Every answer, whatever it is.
    "every": {"X-Content-Type-Options": "nosniff"},
    # The collector's own pages: the demo shop and error pages. Inline styles
    # are allowed for the demo's widget only: in browsers without constructed
    # stylesheets it falls back to a <style> element in its shadow root.
    "page": {
        "Content-Security-Policy": _policy(
            "default-src 'self'",
            *_STRICT,
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ),
        "Referrer-Policy": "same-origin",
    },
    # Survey link pages: their own script and stylesheet, answers only to
    # this server, and the address (ticket id and token) never sent on; the
    # sender's logo ({logo}: its https origin, or nothing) is the one image
    # from elsewhere.
    "link": {
        "Content-Security-Policy": _policy(
            "default-src 'none'",
            *_STRICT,
            "style-src 'self'",
            "img-src 'self'{logo}",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ),
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "X-Robots-Tag": "noindex, nofollow",
    },
    # Admin pages: nothing inline (the charts are SVG with attributes, not
    # style); they frame only the preview, and no one may frame them.
    "admin": {
        "Content-Security-Policy": _policy(
            "default-src 'none'",
            *_STRICT,
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    },
    # The admin's widget preview, framed by the touchpoint page: the widget
    # styles itself with a constructed stylesheet, and it may fetch its
    # settings ({widget_api}) and nothing else, so even a widget that ignored
    # data-preview could not store an answer from here.
    "preview": {
        "Content-Security-Policy": _policy(
            "default-src 'none'",
            *_STRICT,
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src {widget_api}",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ),
        "X-Frame-Options": "SAMEORIGIN",
    },
    # The widget script and the OpenAPI description: any site may read them.
    "public": {"Access-Control-Allow-Origin": "*"},
}


def apply(response: Response, kind: str, **values: str) -> Response:
    """Add the headers of *kind* that *response* does not have yet; *values* fill their {placeholders}."""
    for name, value in HEADERS[kind].items():
        response.headers.setdefault(name, value.format(**values) if values else value)
    return response


def install(app: Flask) -> None:
    """Trust exactly the configured proxies and add the safety headers."""
    proxies = app.config["PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.before_request(_refuse_oversized_body)
    app.after_request(_safety_headers)


def _refuse_oversized_body():
    # Every route, including those that never read their body, refuses one
    # announced larger than MAX_CONTENT_LENGTH before any work is done;
    # bodies without a length are cut off at the limit when read.
    length = request.content_length
    if length is not None and length > current_app.config["MAX_CONTENT_LENGTH"]:
        abort(413)


def _safety_headers(response: Response) -> Response:
    response.headers.pop("Access-Control-Allow-Credentials", None)
    apply(response, "every")
    if response.mimetype == "text/html":
        apply(response, "page")
    return response
