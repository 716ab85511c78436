"""Every ANBEFAL_* setting as data: name, default, parser, help and the README
table it belongs to, checked once at start so that a wrong value stops the app
with a clear message instead of failing requests."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .mail.smtp import parse_url
from .validation import has_control

# The README's settings tables, by their headings.
COLLECTOR = "The collector"
SURVEY_LINKS = "Survey links"
ADMIN_LOGINS = "The admin: logins"
ADMIN_OVERVIEW = "The admin: overview"
ABUSE_AND_PRIVACY = "Abuse protection and privacy"
WEBHOOKS = "Webhooks and alerts"
MAIL = "Mail"

# A parser returns the value the code uses, or raises ValueError saying what it expects.
Parser = Callable[[Any], Any]


class SettingError(ValueError):
    """A setting whose value its parser refuses."""


@dataclass(frozen=True)
class Setting:
    """One ANBEFAL_* setting: its default, how its value is read, and what it does."""

    name: str
    default: Any
    parse: Parser
    help: str
    section: str
    # Words for a default that is no value to write ("made once, stored...").
    shown: str = ""

    @property
    def default_text(self) -> str:
        """Return the default as it would be written in the environment."""
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)


# -- the parsers ------------------------------------------------------------------


def whole_number(minimum: int, expected: str, *, unset: int | None = None) -> Parser:
    """Return a parser of whole numbers of at least *minimum* (digits given as
    text count); with *unset*, no value (empty, null, false) stands for it."""

    def parse(value: Any) -> int:
        if unset is not None and value in (None, "", False):
            return unset
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(expected)
        return value

    return parse


_ON = {"on", "true", "yes", "1", "enabled"}
_OFF = {"off", "false", "no", "0", "none", "disabled"}


def on_off(value: Any) -> bool:
    """Read a switch: on, true, yes or 1; off, false, no, 0 or none."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    word = str(value).strip().lower()
    if isinstance(value, str | int) and word in _ON | _OFF:
        return word in _ON
    raise ValueError("on or off")


def secure_cookie(value: Any) -> str | bool:
    """Read "auto", or a forced true or false."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str) else None
    if word == "auto":
        return "auto"
    if word in ("true", "false"):
        return word == "true"
    raise ValueError("auto, true or false")


@dataclass(frozen=True)
class Limit:
    """At most *count* hits per *seconds*."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


_PERIODS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*([a-z]+?)s?\s*$")


def rate_limit(value: Any) -> Limit:
    """Read "30/minute", "1000 per hour", "5/10s" or "100/day"."""
    if isinstance(value, Limit):
        return value
    found = _LIMIT_RE.match(str(value).lower()) if isinstance(value, str) else None
    if not found or found.group(3) not in _PERIODS:
        raise ValueError("a rate limit like 30/minute, 1000/hour or 5/10s")
    count, multiple, unit = int(found.group(1)), int(found.group(2) or 1), _PERIODS[found.group(3)]
    if count < 1 or multiple < 1:
        raise ValueError("a rate limit of at least one hit per at least one second")
    return Limit(count, multiple * unit)


def key_list(value: Any) -> list[str]:
    """Read signing keys, newest first: a list, or text separated by commas; none is empty."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(key) for key in value if key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("signing keys separated by commas")
    return [key.strip() for key in str(value).split(",") if key.strip()]


def file_path(value: Any) -> str:
    """Read a file's path, made absolute so that it still holds after a chdir."""
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise ValueError("the path of a file")
    return os.path.abspath(str(value))


def optional_url(value: Any) -> str | None:
    """Read an http(s) address; none is None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip().lower().startswith(("http://", "https://")):
        raise ValueError("an address starting with http:// or https://")
    return value.strip()


def smtp_url(value: Any) -> str | None:
    """Read an smtp:// or smtps:// address; none is None (mail off)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("smtp://[user:password@]host[:port] or smtps://user:password@host[:port]")
    parse_url(value)
    return value.strip()


def mail_address(value: Any) -> str | None:
    """Read a sender address, alone or with a name ("Anbefal <nps@example.com>"); none is None."""
    if value is None or value == "":
        return None
    address = parseaddr(value)[1] if isinstance(value, str) else ""
    if "@" not in address or has_control(str(value)):
        raise ValueError("an address such as nps@example.com or Anbefal <nps@example.com>")
    return value.strip()


def time_zone(value: Any) -> str:
    """Read an IANA time zone name, such as Europe/Copenhagen."""
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("a time zone name such as Europe/Copenhagen or UTC") from None
    return str(value)


# -- the table --------------------------------------------------------------------

_SECONDS = whole_number(1, "a whole number of seconds, at least 1")
_BYTES = whole_number(1, "a whole number of bytes, at least 1")
_ABOVE_ZERO = whole_number(1, "a whole number above 0")

SETTINGS: list[Setting] = [
    Setting("DB", "./anbefal.db", file_path, "The SQLite file; created with its schema on first start.", COLLECTOR),
    Setting(
        "SECRET_KEY",
        None,
        key_list,
        "Signing keys, newest first, separated by commas; unset: one made once and stored in the database.",
        COLLECTOR,
        shown="made once, stored in the database",
    ),
    Setting(
        "PUBLIC_URL",
        None,
        optional_url,
        "The base URL written into snippets and survey links; unset: the request's own.",
        COLLECTOR,
        shown="the request's own address",
    ),
    Setting("DEMO", False, on_off, "Serve the demo shop page at /demo.", COLLECTOR),
    Setting(
        "EDIT_SECRET_MAX_AGE",
        2 * 60 * 60,
        _SECONDS,
        "Seconds a browser may add its comment after giving the score.",
        COLLECTOR,
    ),
    Setting("API_MAX_BODY", 8 * 1024, _BYTES, "Largest body the public API accepts, in bytes.", COLLECTOR),
    Setting(
        "MAX_CONTENT_LENGTH",
        256 * 1024,
        _BYTES,
        "Largest body any route accepts (admin forms included), in bytes.",
        COLLECTOR,
    ),
    Setting(
        "BUSY_TIMEOUT",
        10000,
        whole_number(1, "a whole number of milliseconds, at least 1"),
        "Milliseconds a write waits for a lock held by another program (a backup, say); then 503 storage_busy.",
        COLLECTOR,
    ),
    Setting(
        "LINK_FORM_MAX_AGE",
        2 * 60 * 60,
        _SECONDS,
        "Seconds the form of a survey link page stays valid; later, it asks to be sent again.",
        SURVEY_LINKS,
    ),
    Setting(
        "ADMIN_SESSION_LIFETIME",
        12 * 60 * 60,
        whole_number(60, "a whole number of seconds, at least 60"),
        "Seconds a login lasts, however active it is.",
        ADMIN_LOGINS,
    ),
    Setting(
        "ADMIN_SECURE_COOKIE",
        "auto",
        secure_cookie,
        "Mark the admin's cookie Secure: auto (when the request came over HTTPS), true or false.",
        ADMIN_LOGINS,
    ),
    Setting(
        "ADMIN_LOGIN_ATTEMPTS",
        5,
        _ABOVE_ZERO,
        "Failed logins allowed per email (and four times as many per client address) within the window.",
        ADMIN_LOGINS,
    ),
    Setting(
        "ADMIN_LOGIN_WINDOW",
        15 * 60,
        _ABOVE_ZERO,
        "Seconds over which failed logins are counted.",
        ADMIN_LOGINS,
    ),
    Setting(
        "ADMIN_PAGE_SIZE",
        50,
        _ABOVE_ZERO,
        "Responses per page on the comments and follow-up pages.",
        ADMIN_LOGINS,
    ),
    Setting(
        "MIN_ANSWERS",
        30,
        whole_number(1, "a whole number of 1 or more"),
        'The overview marks an NPS from fewer answers than this "Few answers".',
        ADMIN_OVERVIEW,
    ),
    Setting(
        "RATELIMIT",
        "on",
        on_off,
        "off switches every rate limit off (load tests, trusted networks).",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "RATELIMIT_WRITES",
        "30/minute",
        rate_limit,
        "Answers sent (POST, PATCH) per client address, over every public route together.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "RATELIMIT_READS",
        "300/minute",
        rate_limit,
        "Widget configurations read (GET) per client address.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "RATELIMIT_LINK_API",
        "600/minute",
        rate_limit,
        "Link requests (POST /api/v1/links) per client address; generous, as mail tools make links in bulk.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "RATELIMIT_READ_API",
        "120/minute",
        rate_limit,
        "Read API requests (GET /api/v1/responses, /stats, /touchpoints) per client address.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "BOT_FILTER",
        "on",
        on_off,
        "Answers from known bots and crawlers get a success answer but are not stored.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "DEDUP_WINDOW",
        600,
        whole_number(0, "a whole number of seconds (0 stores every answer)"),
        "Seconds within which one visitor's answers without a ref to one touchpoint count once; 0 stores every one.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "PROXIES",
        0,
        whole_number(0, "the number of reverse proxies in front of Anbefal", unset=0),
        "Reverse proxies in front of Anbefal whose X-Forwarded-* entries are believed; 0 believes none.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "RETENTION_DAYS",
        0,
        whole_number(0, "a whole number of days (or 0 to keep answers)", unset=0),
        "Delete answers older than this many days (hourly); 0 keeps them.",
        ABUSE_AND_PRIVACY,
    ),
    Setting(
        "CUSTOMER_QUIET_DAYS",
        30,
        whole_number(0, "a whole number of days (0 switches it off)"),
        "Days a verified customer who answered or dismissed a survey is not asked again by the widget; 0: off.",
        COLLECTOR,
    ),
    Setting(
        "ALERT_DELAY",
        120,
        whole_number(0, "a whole number of seconds (0 sends at once)"),
        "Seconds an alert of a new answer (Slack, mail) waits for its comment; it goes as soon as the comment comes.",
        WEBHOOKS,
    ),
    Setting(
        "WEBHOOK_ALLOW_PRIVATE",
        False,
        on_off,
        "Allow webhook addresses in private, loopback and link-local ranges (on-premises receivers, tests).",
        WEBHOOKS,
    ),
    Setting(
        "SMTP_URL",
        None,
        smtp_url,
        "The SMTP server mail goes through: smtp://host:25, smtp://user:password@host:587, smtps://...:465.",
        MAIL,
        shown="none: mail is off",
    ),
    Setting(
        "MAIL_FROM",
        None,
        mail_address,
        "The sender of Anbefal's mails, e.g. Anbefal <nps@example.com>.",
        MAIL,
        shown="none: mail is off",
    ),
    Setting(
        "TIMEZONE",
        "Europe/Copenhagen",
        time_zone,
        "The time zone of the digest's hour (Monday 08:00 or daily 08:00).",
        MAIL,
    ),
]

DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}


def check(config: MutableMapping[str, Any]) -> None:
    """Replace every setting in *config* by its parsed value; refuse the first wrong one."""
    for setting in SETTINGS:
        value = config.get(setting.name)
        try:
            config[setting.name] = setting.parse(value)
        except ValueError as exc:
            raise SettingError(f"ANBEFAL_{setting.name} must be {exc}, not {value!r}") from None
