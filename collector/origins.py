"""Origins (scheme://host[:port]) as touchpoints store them and browsers send them."""

from __future__ import annotations

from urllib.parse import urlsplit


def normalise_origin(value: str) -> str:
    """Return scheme://host[:port] of an origin, or raise ValueError saying what is wrong."""
    not_an_origin = ValueError(f"{value!r} is not an origin such as https://shop.example")
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # such as "http://[" (an unclosed IPv6 address)
        raise not_an_origin from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise not_an_origin
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r}: an origin has no path, only scheme, host and port")
    return f"{parts.scheme}://{parts.netloc.lower()}"
