"""Where the widget shows and how it looks: a touchpoint's position, colours,
font and corner radius.

Each setting is one (column, parser, help) triple in LOOK_SETTINGS, so that
the admin's form and the command line take them from one list. A parser takes
what a person typed and returns the value to store (None: not set, the
widget's own), or raises ValueError with what is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

POSITIONS = ("bottom-right", "bottom-left", "center")
DEFAULT_ACCENT = "#1d56b8"
DEFAULT_TEXT = "#1b2230"
BACKGROUND = "#ffffff"  # the panel's, fixed: the colours are checked against it
# WCAG 2.x level AA for normal text; the accent is text on the Skip button and
# the background of white text on the Send button, so it needs the same.
AA_CONTRAST = 4.5
MAX_RADIUS = 32

_COLOUR = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})")
# Font family names, quoted or not, separated by commas: nothing that could end the CSS value.
_FONT = re.compile(r"""[\w \-'",.]{1,200}""")


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def parse_position(value: str | None) -> str | None:
    value = _blank(value)
    if value is not None and value not in POSITIONS:
        raise ValueError(f"the position is one of {', '.join(POSITIONS)}")
    return value


def parse_colour(value: str | None) -> str | None:
    value = _blank(value)
    if value is None:
        return None
    value = value.lower()
    if not _COLOUR.fullmatch(value):
        raise ValueError("a colour is written #rrggbb or #rgb, such as #1d56b8")
    if len(value) == 4:
        value = "#" + "".join(digit * 2 for digit in value[1:])
    return value


def parse_font(value: str | None) -> str | None:
    value = _blank(value)
    if value is not None and (not _FONT.fullmatch(value) or value.count('"') % 2 or value.count("'") % 2):
        raise ValueError('a font is a list of family names, such as "Source Sans 3", Arial, sans-serif')
    return value


def parse_radius(value: str | None) -> int | None:
    value = _blank(value)
    if value is None:
        return None
    number = value.removesuffix("px").strip()
    if not number.isascii() or not number.isdigit() or int(number) > MAX_RADIUS:
        raise ValueError(f"the corner radius is a whole number of pixels from 0 to {MAX_RADIUS}")
    return int(number)


# (column, parser, help): the admin's form and `anbefal touchpoint set` both read this list.
LOOK_SETTINGS: tuple[tuple[str, Callable[[str | None], Any], str], ...] = (
    (
        "widget_position",
        parse_position,
        "Where the survey shows: bottom-right (the default), bottom-left, or center (a modal dialog).",
    ),
    ("accent_colour", parse_colour, f"Buttons and the chosen score, as #rrggbb; the default is {DEFAULT_ACCENT}."),
    ("text_colour", parse_colour, f"The question and the scale's numbers, as #rrggbb; the default is {DEFAULT_TEXT}."),
    ("font_family", parse_font, "Font families as in CSS, such as Georgia, serif; the default is the system's font."),
    ("corner_radius", parse_radius, "The panel's rounding in pixels, 0 to 32 (buttons get half); the default is 12."),
)
LOOK_COLUMNS = tuple(column for column, _, _ in LOOK_SETTINGS)


def widget_look(touchpoint: Any) -> dict[str, Any]:
    """The look the widget sets as --anbefal-* properties (only what the touchpoint sets)."""
    radius = touchpoint.corner_radius
    look = {
        "accent": touchpoint.accent_colour,
        "text": touchpoint.text_colour,
        "font": touchpoint.font_family,
        "radius": None if radius is None else f"{radius}px",
    }
    return {key: value for key, value in look.items() if value is not None}


def _luminance(colour: str) -> float:
    """The relative luminance of a #rrggbb colour, as WCAG 2.x defines it."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_warnings(touchpoint: Any) -> list[str]:
    """What fails WCAG AA contrast among the touchpoint's colours (empty: all pass)."""
    warnings = []
    checks = (
        (touchpoint.text_colour, "The text colour", "on the white panel"),
        (touchpoint.accent_colour, "The accent colour", "against the white text and panel beside it"),
    )
    for colour, what, where in checks:
        if colour is not None:
            ratio = contrast_ratio(colour, BACKGROUND)
            if ratio < AA_CONTRAST:
                shown = math.floor(ratio * 100) / 100  # 4.499 shows as 4.49, never as the 4.5 it fails
                warnings.append(
                    f"{what} {colour} has a contrast of {shown:.2f}:1 {where}; "
                    f"WCAG AA asks for {AA_CONTRAST}:1, so some visitors cannot read it. Choose a darker colour."
                )
    return warnings
