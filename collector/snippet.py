"""The HTML a shop pastes into its pages to embed a touchpoint's survey."""

from __future__ import annotations

from html import escape

from flask import current_app, has_request_context, request

from .assets import widget_asset

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def public_url() -> str:
    """Return the base URL snippets and links point at, without a trailing slash."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return DEFAULT_PUBLIC_URL


def script_url(base: str | None = None) -> str:
    """Return the widget's versioned URL, which browsers and CDNs may cache for a year."""
    return f"{base or public_url()}/anbefal-{widget_asset().version}.js"


def snippet_html(token: str, base: str | None = None, **attributes: str | None) -> str:
    """Return the one <script> tag to paste; extra data-* attributes are optional."""
    parts = [f'<script async src="{escape(script_url(base))}" data-anbefal="{escape(token)}"']
    for name, value in attributes.items():
        if value is not None:
            parts.append(f' data-{name.replace("_", "-")}="{escape(value)}"')
    parts.append("></script>")
    return "".join(parts)
