"""Strict checks for everything a browser sends.

Each check either returns a clean value or raises ApiError(400, code, message),
so a bad request is refused before anything touches the database.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Request

from . import nps
from .errors import ApiError

# The limits of every field the API takes; openapi.json and the widget state
# the same numbers, and tests/test_validation.py holds them to these.
MAX_COMMENT = 2000
MAX_REF = 200
MAX_PAGE = 2000
MAX_LOCALE = 35
MAX_PROPERTIES = 20
MAX_PROPERTY_KEY = 40
MAX_PROPERTY_VALUE = 200
MAX_TOUCHPOINT_NAME = 100

# C0 and C1 control characters; tab, newline and carriage return are allowed
# only where multi-line text makes sense (comments, notes).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_EXCEPT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
PROPERTY_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_LOCALE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")

JSON_TYPES = ("application/json", "text/plain")


def has_control(value: str, *, multiline: bool = False) -> bool:
    """True if *value* holds a control character (tab and line breaks pass when *multiline*)."""
    return bool((CONTROL_EXCEPT_WHITESPACE if multiline else CONTROL).search(value))


def is_property_key(key: str) -> bool:
    """True for a property name: letters, digits, _ . - (. and - not first), at most MAX_PROPERTY_KEY long."""
    return len(key) <= MAX_PROPERTY_KEY and bool(PROPERTY_KEY.match(key))


def bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def parse_json_body(request: Request) -> dict[str, Any]:
    """Return the request's JSON object; text/plain is accepted too, so that
    fetch() and sendBeacon() can post without a CORS preflight."""
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES:
        raise ApiError(415, "unsupported_media_type", "send the body as application/json or text/plain")
    raw = request.get_data(cache=True)  # raises 413 past the body limit
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad("invalid_encoding", "the body must be UTF-8") from exc
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise bad("invalid_json", "the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise bad("invalid_json", "the body must be a JSON object")
    return body


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def only_fields(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad("unknown_field", f"unknown field: {unknown[0][:40]}")


def score(value: Any, field: str = "score") -> int:
    # JSON has one kind of number: 9.0 is 9 (as JSON Schema's "integer" says),
    # 9.5 is no score. bool is a subclass of int: True is not a score.
    if type(value) is float and value.is_integer() and abs(value) <= nps.SCORES[-1] + 1:
        value = int(value)
    if type(value) is not int or value not in nps.SCORES:
        raise bad("invalid_score", f"{field} must be an integer from 0 to 10")
    return value


def text(value: Any, field: str, max_length: int, *, multiline: bool = False, required: bool = False) -> str | None:
    """Return a clean string (None for missing/empty optional values)."""
    if value is None or value == "":
        if required:
            raise bad(f"missing_{field}", f"{field} is required")
        return None
    if not isinstance(value, str):
        raise bad(f"invalid_{field}", f"{field} must be a string")
    if len(value) > max_length:
        raise bad(f"invalid_{field}", f"{field} must be at most {max_length} characters")
    _check_characters(value, field, multiline)
    return value


def _check_characters(value: str, field: str, multiline: bool = False) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate from a "\ud800" escape
        raise bad(f"invalid_{field}", f"{field} contains an invalid character") from exc
    if has_control(value, multiline=multiline):
        raise bad(f"invalid_{field}", f"{field} contains a control character")


def comment(value: Any) -> str | None:
    cleaned = text(value, "comment", MAX_COMMENT, multiline=True)
    return cleaned.strip() or None if cleaned else None


def ref(value: Any) -> str | None:
    cleaned = text(value, "ref", MAX_REF)
    return cleaned.strip() or None if cleaned else None


def locale(value: Any) -> str | None:
    cleaned = text(value, "locale", MAX_LOCALE)
    if cleaned and not _LOCALE.match(cleaned):
        raise bad("invalid_locale", "locale must be a language tag such as da-DK")
    return cleaned


def page(value: Any) -> str | None:
    cleaned = text(value, "page", MAX_PAGE)
    if cleaned and not cleaned.startswith(("http://", "https://")):
        raise bad("invalid_page", "page must be an http(s) URL")
    return cleaned


def properties(value: Any) -> dict[str, str]:
    """A flat map of short strings: segment, department, agent and the like."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad("invalid_properties", "properties must be an object of strings")
    if len(value) > MAX_PROPERTIES:
        raise bad("invalid_properties", f"at most {MAX_PROPERTIES} properties are allowed")
    clean: dict[str, str] = {}
    for key, item in value.items():
        if not is_property_key(key):
            raise bad(
                "invalid_properties",
                f"property names are letters, digits, _ . - and at most {MAX_PROPERTY_KEY} characters",
            )
        if not isinstance(item, str):
            raise bad("invalid_properties", "property values must be strings")
        if len(item) > MAX_PROPERTY_VALUE:
            raise bad("invalid_properties", f"property values must be at most {MAX_PROPERTY_VALUE} characters")
        _check_characters(item, "properties")
        clean[key] = item
    return clean


def parse_properties_json(raw: str) -> dict[str, str]:
    """Parse and check properties given as a JSON string (CLI, snippet)."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise bad("invalid_properties", "properties must be a JSON object") from exc
    return properties(value)
