"""Making survey links: the touchpoint's link with a placeholder ref for mail
templates, and per-recipient links whose ref is signed too.

The CLI, the link API and the admin's email block all build their links
here, so a link means the same wherever it was made.
"""

from __future__ import annotations

import re
import time
from typing import Any

from .. import storage, timestamps
from ..db import get_tokens
from ..errors import ApiError
from ..validation import ref as validate_ref

SCORES = range(11)
DEFAULT_PLACEHOLDER = "{{ticket.id}}"
# Where the link pages live: /s/<token>.
PREFIX = "/s"

# Characters a placeholder cannot hold: it stands verbatim inside a quoted
# href (so no double quote or angle bracket), and the query's own '&' must be
# the only one. Spaces and '#' may stay: "{{ ticket.id }}" and Zammad's
# "#{ticket.number}" are replaced as a whole before the mail is sent.
_PLACEHOLDER_FORBIDDEN = re.compile(r'["<>&\\]')
# What unreplaced placeholders of common template languages look like:
# {{ticket.id}} (Zendesk, Freshdesk, Liquid), #{ticket.number} (Zammad),
# %{ticket.number} (osTicket), {$ticket.id}, {%...%}, *|ORDER_ID|*
# (Mailchimp), %ORDER_ID% and [ORDER_ID].
_LOOKS_LIKE_PLACEHOLDER = re.compile(
    r"\{\{.*\}\}|[#%]\{[\w. -]+\}|\{\$[\w. -]+\}|\{%.*%\}|\*\|.*\|\*|^%[\w.-]+%$|^\[[\w.-]+\]$"
)
# An expiry such as "30d"; openapi.json describes `expires` with the same pattern.
EXPIRES_PATTERN = r"^\s*[0-9]{1,5}\s*[hdw]\s*$"
_EXPIRES = re.compile(EXPIRES_PATTERN)
_UNIT_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}
MAX_EXPIRES_YEARS = 5
MAX_EXPIRES = MAX_EXPIRES_YEARS * 366 * 86400


class LinkError(ValueError):
    """A link cannot be made as asked: the message says why, the code (as in the API's errors) what."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def check_placeholder(placeholder: str) -> str:
    """Return *placeholder* if it can stand verbatim in a link, else raise LinkError."""
    try:
        cleaned = validate_ref(placeholder)
    except ApiError as exc:
        raise LinkError(f"the placeholder is not valid: {exc.message}", "invalid_placeholder") from None
    if not cleaned:
        raise LinkError("the placeholder is empty", "invalid_placeholder")
    if _PLACEHOLDER_FORBIDDEN.search(cleaned):
        raise LinkError('the placeholder cannot contain ", <, >, & or a backslash', "invalid_placeholder")
    return cleaned


def check_ref(ref: Any) -> str:
    """Return a clean ref for a per-recipient link, else raise LinkError."""
    try:
        cleaned = validate_ref(ref)
    except ApiError as exc:
        raise LinkError(exc.message, exc.code) from None
    if not cleaned:
        raise LinkError("ref is required: the order or ticket id the answer belongs to", "missing_ref")
    return cleaned


def looks_like_placeholder(ref: str, placeholder: str | None = None) -> bool:
    """True for a ref that is a template placeholder the mail system never replaced."""
    return ref == placeholder or bool(_LOOKS_LIKE_PLACEHOLDER.search(ref))


def parse_expires(value: Any) -> int | None:
    """Return seconds for '12h', '30d' or '2w' (None for None), else raise LinkError."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise LinkError("expires must be a string such as 30d", "invalid_expires")
    if not _EXPIRES.match(value):
        raise LinkError(
            "expires must be a number and a unit: h (hours), d (days) or w (weeks), e.g. 30d", "invalid_expires"
        )
    value = value.strip()
    seconds = int(value[:-1]) * _UNIT_SECONDS[value[-1]]
    if not 0 < seconds <= MAX_EXPIRES:
        raise LinkError(f"expires must be between 1 hour and {MAX_EXPIRES_YEARS} years", "invalid_expires")
    return seconds


def iso_time(unix: int | None) -> str | None:
    return None if unix is None else timestamps.from_unix(unix)


def link_path(token: str) -> str:
    return f"{PREFIX}/{token}"


def placeholder_url(base_url: str, token: str, placeholder: str, score: int) -> str:
    """A score link for a mail template; the placeholder stays as it is, for
    the template to fill. The score comes first: a ticket id with an '&' in
    it would then cut only the ref, never the score."""
    return f"{base_url.rstrip('/')}{link_path(token)}?score={score}&ref={placeholder}"


def placeholder_urls(touchpoint: storage.Touchpoint, placeholder: str, base_url: str) -> list[str]:
    """The eleven score links 0-10 of a touchpoint, for a mail template."""
    placeholder = check_placeholder(placeholder)
    token = get_tokens().make_link_token(touchpoint.id, placeholder=placeholder)
    return [placeholder_url(base_url, token, placeholder, score) for score in SCORES]


class RecipientLink:
    """A link for one recipient: the ref is signed, only the score is in the query."""

    def __init__(self, touchpoint: storage.Touchpoint, ref: str, base_url: str, expires_in: int | None = None):
        self.touchpoint = touchpoint
        self.ref = check_ref(ref)
        self.expires_at = None if expires_in is None else int(time.time()) + expires_in
        self.token = get_tokens().make_link_token(touchpoint.id, ref=self.ref, expires_at=self.expires_at)
        self.base_url = base_url.rstrip("/")

    def url(self, score: int | None = None) -> str:
        url = f"{self.base_url}{link_path(self.token)}"
        return url if score is None else f"{url}?score={score}"

    def score_urls(self) -> list[str]:
        return [self.url(score) for score in SCORES]
