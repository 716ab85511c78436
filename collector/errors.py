"""One JSON error shape for every API error, and the handlers that make it.

{"error": {"code": "invalid_score", "message": "score must be an integer from 0 to 10"}}
"""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

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

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return error_response(500, "internal_error", "something went wrong on the server")
        return "Something went wrong on the server. The error has been logged.", 500
