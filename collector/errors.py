"""One JSON error shape for every API error, and the handlers that make it.

{"error": {"code": "invalid_score", "message": "score must be an integer from 0 to 10"}}
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import storage

# Blueprints whose errors are answered as JSON; pages for people get HTML.
JSON_PREFIXES = ("/api/",)


class ApiError(Exception):
    """An error the API reports to its caller."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.path == "/healthz"


# Pages for people that answer a storage fault in words of their own (the
# survey links, in the person's language), by blueprint name; the others
# get the plain page storage_fault.html.
FAULT_PAGES: dict[str, Callable[[storage.Fault], tuple[str, int]]] = {}

# A fault is logged once per kind and minute in each worker process, not once per request.
LOG_EVERY = 60
_logged: dict[str, tuple[float, int]] = {}
_logged_lock = threading.Lock()


def log_fault(fault: storage.Fault, exc: BaseException) -> None:
    """Log one line for *fault*, at most once a minute per kind, with how
    many were refused meanwhile."""
    now = time.monotonic()
    with _logged_lock:
        last, refused = _logged.get(fault.code, (-LOG_EVERY, 0))
        if now - last < LOG_EVERY:
            _logged[fault.code] = (last, refused + 1)
            return
        _logged[fault.code] = (now, 0)
    since = f"; {refused} more refused since the last note" if refused else ""
    current_app.logger.error(
        "%s: %s (%s); requests that write are answered 503 until it is fixed: %s%s",
        fault.code,
        fault.message,
        exc,
        fault.remedy,
        since,
    )


def storage_fault_response(fault: storage.Fault):
    """503 for a storage fault: the JSON shape with Retry-After on the API,
    a page for people elsewhere."""
    headers = {"Retry-After": str(fault.retry_after)}
    if wants_json():
        return error_response(503, fault.code, fault.message, headers)
    page = FAULT_PAGES.get(request.blueprint or "")
    if page is not None:
        body, status = page(fault)
    else:
        body, status = render_template("storage_fault.html", fault=fault), 503
    return body, status, headers


def _code_for(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def register(app: Flask) -> None:
    """Answer API errors, and HTTP errors on API paths, with the JSON shape."""

    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        if not wants_json():
            return exc
        headers = {}
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        if exc.code == 413:
            return error_response(413, "body_too_large", "the request body is too large", headers)
        return error_response(exc.code or 500, _code_for(exc), exc.description or exc.name, headers)

    @app.errorhandler(sqlite3.Error)
    @app.errorhandler(OSError)
    def handle_storage_error(exc: Exception):
        fault = storage.classify_fault(exc)
        if fault is None:
            return handle_unexpected(exc)
        log_fault(fault, exc)
        if fault.code == "storage_read_only":
            # SQLite keeps a connection it opened read-only so for good:
            # each thread opens a new one, which writes once it can.
            storage.reopen_connections()
        return storage_fault_response(fault)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return error_response(500, "internal_error", "something went wrong on the server")
        return "Something went wrong on the server. The error has been logged.", 500
