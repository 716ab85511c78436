"""Who is asking: a touchpoint's sender name, logo and brand colour on its
survey link page, and whether its scale is coloured by category.

Each setting is one (column, parser, help) triple in OPTIONS: the admin's
touchpoint page and the command line read the same list. A parser takes the
text a person typed and returns the value to store (None for "not set"), or
raises ValueError with a message that says what to type instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..look import contrast_ratio as contrast
from ..validation import has_control

MAX_SENDER_NAME = 80
MAX_LOGO_URL = 500
# WCAG 2.2 AA for normal text: the page writes white text on the brand colour.
MIN_CONTRAST = 4.5
# The chosen score and the button without a brand colour (the widget's blue).
DEFAULT_BRAND = "#1d56b8"
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_ON = {"on", "yes", "true", "1"}
_OFF = {"off", "no", "false", "0", ""}


def parse_sender_name(text: str) -> str | None:
    """The shop's or team's name, shown above the question; empty for none."""
    name = " ".join(text.split())
    if len(name) > MAX_SENDER_NAME:
        raise ValueError(f"The sender name may have at most {MAX_SENDER_NAME} characters; it has {len(name)}.")
    if has_control(name):
        raise ValueError("The sender name cannot contain control characters.")
    return name or None


def parse_logo_url(text: str) -> str | None:
    """An https address of the logo image; empty for none."""
    url = text.strip()
    if not url:
        return None
    if len(url) > MAX_LOGO_URL:
        raise ValueError(f"The logo address may have at most {MAX_LOGO_URL} characters; it has {len(url)}.")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or has_control(url) or any(c in url for c in " \"'<>\\"):
        raise ValueError(
            "The logo address must be a whole https:// address, such as https://shop.example/logo.png; "
            f"“{url[:60]}” is not."
        )
    return url


def parse_brand_colour(text: str) -> str | None:
    """A colour as #rrggbb, dark enough for white text on it; empty for the default."""
    raw = text.strip()
    if not raw:
        return None
    found = _HEX.fullmatch(raw)
    if not found:
        raise ValueError(f"The brand colour must be written as #rrggbb, such as #1d56b8; “{raw[:20]}” is not.")
    digits = found.group(1).lower()
    colour = "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))
    ratio = contrast(colour, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ValueError(
            f"White text on {colour} has a contrast of {ratio:.1f}:1; the survey page needs at least "
            f"{MIN_CONTRAST}:1 (WCAG AA). Choose a darker shade of the colour."
        )
    return colour


def parse_on_off(text: str) -> int:
    """on or off (yes/no, true/false, 1/0)."""
    value = text.strip().lower()
    if value in _ON:
        return 1
    if value in _OFF:
        return 0
    raise ValueError(f"Give on or off; “{text[:20]}” is neither.")


Parser = Callable[[str], Any]

OPTIONS: list[tuple[str, Parser, str]] = [
    ("sender_name", parse_sender_name, "Name shown above the question on the survey link page, e.g. the shop's."),
    ("logo_url", parse_logo_url, "https:// address of a logo shown beside the sender name on the survey link page."),
    (
        "brand_colour",
        parse_brand_colour,
        "Colour (#rrggbb) of the chosen score and the button on the survey link page; "
        f"white text on it needs a contrast of {MIN_CONTRAST}:1.",
    ),
    (
        "coloured_scale",
        parse_on_off,
        "on: colour the scale red, amber and green by category (link page and email block); off: neutral, "
        "like the widget's.",
    ),
]
COLUMNS = tuple(column for column, _parse, _help in OPTIONS)


def parse_all(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse the typed value of every option: (values to store, errors by column)."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column, parse, _help in OPTIONS:
        try:
            clean[column] = parse(values.get(column, ""))
        except ValueError as exc:
            errors[column] = str(exc)
    return clean, errors


def logo_origin(url: str | None) -> str | None:
    """The origin a logo is loaded from, for the page's Content-Security-Policy."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"https://{parts.netloc}"


def shown(column: str, value: Any) -> str:
    """A stored value as the form shows it."""
    if column == "coloured_scale":
        return "on" if value else "off"
    return "" if value is None else str(value)


# What the admin's form says about the fields' limits: the same numbers that check them.
FORM_LIMITS = {
    "name": MAX_SENDER_NAME,
    "logo_url": MAX_LOGO_URL,
    "min_contrast": MIN_CONTRAST,
    "default_brand": DEFAULT_BRAND,
}
