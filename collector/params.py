"""Whole numbers read from URLs: query parameters, cursors and the ids in paths.

Every route that reads a number from a URL goes through whole_number (or the
`<id:...>` converter built on it), so a number is ASCII digits only and fits
in SQLite's INTEGER: `²`, `٣`, `1e3`, `-1` or twenty-four nines are refused
there, never passed on to int() or to SQLite.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from werkzeug.routing import IntegerConverter, ValidationError

if TYPE_CHECKING:
    from flask import Flask

# SQLite's largest INTEGER (a signed 64-bit number).
MAX_INTEGER = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str | None, minimum: int = 0) -> int | None:
    """Return *text* as a whole number of ASCII digits from *minimum* to MAX_INTEGER, else None."""
    if not text or not _DIGITS.fullmatch(text):
        return None
    # Leading zeros are allowed; the length check keeps int() from huge strings.
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(MAX_INTEGER)):
        return None
    value = int(digits)
    return value if minimum <= value <= MAX_INTEGER else None


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a whole number as whole_number reads it; anything else is a 404.

    0 is let through, as by Werkzeug's int: the widget's answer from a bot
    gets id 0 and may still send its comment.
    """

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        found = whole_number(value)
        if found is None:
            raise ValidationError()
        return found


def install(app: Flask) -> None:
    """Make `<id:...>` available to *app*'s routes (before any blueprint registers)."""
    app.url_map.converters["id"] = IdConverter
