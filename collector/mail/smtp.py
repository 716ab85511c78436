"""Talking to the SMTP server named by ANBEFAL_SMTP_URL.

smtp://host:25 is a plain relay; smtp://user:password@host:587 says
STARTTLS when the server offers it (and insists on it before sending
credentials); smtps://user:password@host:465 is TLS from the start.

A message is sent in steps, so that what failed tells whether it may have
arrived: a failure before the message's data was handed over is safe to try
again; a connection lost while the server had the data is not (Unsent
versus Uncertain), and such a mail is never sent twice.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

TIMEOUT = 30


@dataclass(frozen=True)
class Server:
    scheme: str  # smtp or smtps
    host: str
    port: int
    user: str | None
    password: str | None


def parse_url(value: str) -> Server:
    """Read an smtp:// or smtps:// URL; ValueError says what is wrong."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("smtp://[user:password@]host[:port] or smtps://user:password@host[:port]")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("a URL with a port from 1 to 65535") from None
    return Server(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (465 if parts.scheme == "smtps" else 25),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


class Unsent(Exception):
    """The message surely did not go: try again later (*permanent*: never)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Uncertain(Exception):
    """The connection was lost while the server had the message: it may have arrived."""


class Connection:
    """One SMTP session, opened on first use and kept for a batch of mails."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT):
        self.server = parse_url(url)
        self.timeout = timeout
        self.client: smtplib.SMTP | None = None
        self.used = False  # a message was sent on this session: RSET before the next

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> smtplib.SMTP:
        if self.client is not None:
            return self.client
        server = self.server
        context = ssl.create_default_context()
        try:
            if server.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
            client.ehlo()
            if server.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif server.scheme == "smtp" and server.user:
                client.close()
                raise Unsent("the server does not offer STARTTLS; credentials are never sent unencrypted", True)
            if server.user:
                client.login(server.user, server.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise Unsent(f"the server refused the login: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise Unsent(f"could not reach {server.host}:{server.port}: {exc}") from exc
        self.client = client
        return client

    def send(self, message: EmailMessage) -> None:
        """Send *message*; Unsent or Uncertain when it did not surely arrive."""
        client = self.open()
        sender, recipient = str(message["From"]), str(message["To"])
        try:
            if self.used:
                client.rset()
            code, reply = client.mail(_address(sender))
            if code != 250:
                raise Unsent(f"the server refused the sender: {code} {_text(reply)}", code >= 500)
            code, reply = client.rcpt(_address(recipient))
            if code not in (250, 251):
                raise Unsent(f"the server refused {recipient}: {code} {_text(reply)}", code >= 500)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise Unsent(f"the connection failed before the message was sent: {exc}") from exc
        self.used = True
        try:
            # SMTP lines end in CR LF; smtplib leaves the lines of bytes as they are.
            code, reply = client.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
        except smtplib.SMTPDataError as exc:  # refused with a code: surely not taken
            raise Unsent(
                f"the server refused the message: {exc.smtp_code} {_text(exc.smtp_error)}", exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise Uncertain(f"the connection was lost while the server had the message: {exc}") from exc
        if code != 250:
            raise Unsent(f"the server refused the message: {code} {_text(reply)}", code >= 500)

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None
            self.used = False


def _address(header: str) -> str:
    return parseaddr(header)[1]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
