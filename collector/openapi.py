"""The OpenAPI description of the public API, served at /api/v1/openapi.json."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from flask import Blueprint, current_app

from . import security

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

SPEC_FILE = "openapi.json"


@cache
def spec() -> dict[str, Any]:
    """Read the description shipped with the package, once per process."""
    return json.loads(files("collector").joinpath(SPEC_FILE).read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi_json():
    """Serve the description; any site may read it, as it holds no secret."""
    response = current_app.response_class(json.dumps(spec(), ensure_ascii=False, indent=2), mimetype="application/json")
    security.apply(response, "public")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
