"""Which webhook addresses Anbefal posts to: http(s) only, and (unless
allowed) none in private, loopback or link-local ranges, checked when an
endpoint is added and resolved again before every request."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL = 2000


class AddressRefused(ValueError):
    """An address Anbefal will not post to; the message says why, for people."""


def check_url(url: str) -> tuple[str, str, int]:
    """Return the scheme, host and port of a webhook *url*, or raise AddressRefused."""
    if len(url) > MAX_URL:
        raise AddressRefused(f"the address may have at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(f"not a valid address: {exc}") from None
    if parts.scheme not in ("https", "http"):
        raise AddressRefused("the address must start with https:// (or http://)")
    if not parts.hostname:
        raise AddressRefused("the address has no host name")
    if parts.username or parts.password:
        raise AddressRefused("the address may not hold a user name or password")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise AddressRefused("the address may not hold spaces or control characters")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: str) -> bool:
    """True for an address on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses of *host*, refused when any is private and that is not allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"{host} cannot be resolved: {exc.strerror}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not allow_private:
        private = [address for address in addresses if not is_public(address)]
        if private:
            raise AddressRefused(
                f"{host} resolves to {private[0]}, a private, loopback or link-local address "
                "(set ANBEFAL_WEBHOOK_ALLOW_PRIVATE=true to allow it)"
            )
    return addresses


def check_endpoint_url(url: str, *, allow_private: bool) -> None:
    """Refuse an address that Anbefal would not post to, when it is added."""
    _, host, port = check_url(url)
    resolve(host, port, allow_private=allow_private)
