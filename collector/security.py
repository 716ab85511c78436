"""What every answer carries for safety, and whom to believe about addresses.

- Behind ANBEFAL_PROXIES reverse proxies, Werkzeug's ProxyFix takes the
  client's address, scheme and host from exactly that many X-Forwarded-*
  entries; with 0 (the default) no X-Forwarded-* header is believed, so a
  visitor cannot forge an address to walk past the rate limits.
- Every answer is `nosniff`; pages (HTML) also get a Content-Security-Policy
  and a Referrer-Policy. A view may set its own CSP; templates that need an
  inline <script> give it `nonce="{{ csp_nonce() }}"`.
- No answer ever allows credentials across origins.
- A body announced larger than MAX_CONTENT_LENGTH is refused (413) on
  every route before its view runs.
"""

from __future__ import annotations

import secrets

from flask import Flask, abort, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Pages load only their own scripts, styles and images (inline styles are
# allowed: the widget's shadow DOM and the e-mail-like landing pages use
# them); nothing may frame them, and forms post only to this server.
CSP = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def install(app: Flask) -> None:
    """Trust exactly the configured proxies and add the safety headers."""
    proxies = app.config["PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.before_request(_refuse_oversized_body)
    app.after_request(_safety_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def csp_nonce() -> str:
    """Return this request's nonce for inline scripts (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _refuse_oversized_body():
    # Every route, including those that never read their body, refuses one
    # announced larger than MAX_CONTENT_LENGTH before any work is done;
    # bodies without a length are cut off at the limit when read.
    length = request.content_length
    if length is not None and length > current_app.config["MAX_CONTENT_LENGTH"]:
        abort(413)


def _safety_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.pop("Access-Control-Allow-Credentials", None)
    if response.mimetype == "text/html":
        nonce = f" 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else ""
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=nonce))
        # Survey links carry their token in the URL: never pass it on to other sites.
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
