"""One POST to a webhook receiver: to the address checked, never following a redirect."""

from __future__ import annotations

import http.client
import importlib.metadata
import socket
import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from ..params import whole_number
from .addresses import AddressRefused, check_url, resolve

TIMEOUT = 10  # seconds for the whole request
MAX_READ = 64 * 1024  # of the receiver's answer, for the message shown
try:
    USER_AGENT = f"Anbefal-Webhooks/{importlib.metadata.version('anbefal')}"
except importlib.metadata.PackageNotFoundError:  # run from a source tree that is not installed
    USER_AGENT = "Anbefal-Webhooks"


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


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection((address, port), timeout)
    # http.client writes the headers and the body apart: without this, on a
    # kept-alive connection the body waits for the receiver's delayed ACK
    # of the headers (40 ms a request on Linux).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _OneWrite:
    """Sends a request's head and body in one write, when the answer is
    asked for: http.client writes them apart, which costs a second system
    call and a second segment for the receiver to wake up to, each request."""

    _unsent: list[bytes]

    def send(self, data) -> None:
        if isinstance(data, bytes | bytearray):
            self._unsent.append(bytes(data))
        else:  # a file or an iterable (never ours): as http.client does
            self._flush()
            super().send(data)  # type: ignore[misc]

    def _flush(self) -> None:
        if self._unsent:
            data, self._unsent[:] = b"".join(self._unsent), []
            super().send(data)  # type: ignore[misc]

    def getresponse(self):
        self._flush()
        return super().getresponse()  # type: ignore[misc]

    def close(self) -> None:
        self._unsent = []
        super().close()  # type: ignore[misc]


class _PinnedHTTPConnection(_OneWrite, http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to by then."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self._unsent = []

    def connect(self) -> None:
        self.sock = _connect(self.address, self.port, self.timeout)


class _PinnedHTTPSConnection(_OneWrite, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address
        self._unsent = []

    def connect(self) -> None:
        sock = _connect(self.address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def retry_after_seconds(value: str | None, now: float) -> int | None:
    """Read a Retry-After header: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    seconds = whole_number(value)  # ASCII digits only: a receiver's "²" is no number to int()
    if seconds is not None:
        return seconds
    try:
        return max(0, int(parsedate_to_datetime(value).timestamp() - now))
    except (TypeError, ValueError, OverflowError):
        return None


class Session:
    """Posts that share what they may: each host's address, resolved and
    checked once per session, and its kept-alive connection (the sender's
    batch: one handshake for many events to one receiver, not one each)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.started = time.monotonic()
        self.urls: dict[str, tuple[str, str, int, str]] = {}
        self.addresses: dict[tuple[str, int], str] = {}
        self.connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def post(self, url: str, body: bytes, headers: dict[str, str], *, now: float) -> Answer:
        """POST *body* to *url* and say what came of it; never raises for the receiver's faults."""
        try:
            if url not in self.urls:
                scheme, host, port = check_url(url)
                parts = urlsplit(url)
                self.urls[url] = (scheme, host, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
            scheme, host, port, target = self.urls[url]
            if (host, port) not in self.addresses:
                self.addresses[host, port] = resolve(host, port, allow_private=self.allow_private)[0]
        except AddressRefused as exc:
            return Answer(None, str(exc))
        key = (scheme, host, port)
        reused = key in self.connections
        if not reused:
            kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
            self.connections[key] = kind(host, port, self.addresses[host, port], TIMEOUT)
        conn = self.connections[key]
        try:
            conn.request(
                "POST",
                target,
                body=body,
                headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
            )
            reply = conn.getresponse()
            text = reply.read(MAX_READ).decode("utf-8", "replace")
            if reply.will_close or not reply.isclosed():  # closing, or more left than we read
                self._drop(key)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            self._drop(key)
            if reused:  # the receiver closed a kept-alive connection meanwhile: once more, afresh
                return self.post(url, body, headers, now=now)
            return Answer(None, _describe(exc))
        except (OSError, http.client.HTTPException) as exc:
            self._drop(key)
            return Answer(None, _describe(exc))
        status = reply.status
        if 200 <= status < 300:
            return Answer(status, None, None, text)
        if 300 <= status < 400:
            where = reply.getheader("Location") or "nowhere"
            error = f"the receiver answered {status}, a redirect (to {where}), which is not followed"
        else:
            error = f"the receiver answered {status} {reply.reason}".rstrip()
        return Answer(status, error, retry_after_seconds(reply.getheader("Retry-After"), now), text)

    def _drop(self, key: tuple[str, str, int]) -> None:
        conn = self.connections.pop(key, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for key in list(self.connections):
            self._drop(key)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, now: float) -> Answer:
    """POST *body* to *url* once, on a connection of its own, and say what came of it."""
    with Session(allow_private=allow_private) as session:
        return session.post(url, body, headers, now=now)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer within {TIMEOUT} s"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    return f"the request failed: {exc}"
