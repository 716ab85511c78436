"""Checks of settings that must be whole numbers, made once at start so a
wrong value stops the app with a clear message instead of failing requests."""

from __future__ import annotations

from typing import Any

from flask import Flask


def whole_number(app: Flask, key: str, *, minimum: int, meaning: str) -> int:
    """Return ANBEFAL_<key> as a whole number of at least *minimum*, stored
    back as one; refuse anything else. Digits given as text count."""
    value: Any = app.config.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"ANBEFAL_{key} must be {meaning}, not {value!r}")
    app.config[key] = value
    return value
