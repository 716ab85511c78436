"""One POST to a webhook receiver: to the address checked, never following a redirect."""

from __future__ import annotations

import http.client
import importlib.metadata
import socket
import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from .addresses import AddressRefused, check_url, resolve

TIMEOUT = 10  # seconds for the whole request
MAX_READ = 64 * 1024  # of the receiver's answer, for the message shown
USER_AGENT = f"Anbefal-Webhooks/{importlib.metadata.version('anbefal')}"


@dataclass(frozen=True)
class Answer:
    """What came of one POST: the receiver's status (None when none came) and, if it failed, why."""

    status: int | None
    error: str | None = None
    retry_after: int | None = None  # seconds, from a Retry-After header
    text: str = ""  # the start of the receiver's answer

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to by then."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def retry_after_seconds(value: str | None, now: float) -> int | None:
    """Read a Retry-After header: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        return max(0, int(parsedate_to_datetime(value).timestamp() - now))
    except (TypeError, ValueError, OverflowError):
        return None


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, now: float) -> Answer:
    """POST *body* to *url* and say what came of it; never raises for the receiver's faults."""
    try:
        scheme, host, port = check_url(url)
        address = resolve(host, port, allow_private=allow_private)[0]
    except AddressRefused as exc:
        return Answer(None, str(exc))
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = kind(host, port, address, TIMEOUT)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(
            "POST",
            target,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        reply = conn.getresponse()
        text = reply.read(MAX_READ).decode("utf-8", "replace")
        status = reply.status
        retry_after = retry_after_seconds(reply.getheader("Retry-After"), now)
        location = reply.getheader("Location")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, _describe(exc))
    finally:
        conn.close()
    if 200 <= status < 300:
        return Answer(status, None, None, text)
    if 300 <= status < 400:
        error = f"the receiver answered {status}, a redirect (to {location or 'nowhere'}), which is not followed"
    else:
        error = f"the receiver answered {status} {reply.reason}".rstrip()
    return Answer(status, error, retry_after, text)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer within {TIMEOUT} s"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    return f"the request failed: {exc}"
