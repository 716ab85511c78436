"""The widget script as served: read once per process, compressed, and named
by its content, so that a URL with that name can be cached for good."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

WIDGET_FILE = "anbefal.js"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    # The first 16 hex digits of the body's SHA-256: its ETag, and the version
    # in the long-cached URL /anbefal-<version>.js.
    version: str

    @property
    def etag(self) -> str:
        return self.version


@cache
def widget_asset() -> Asset:
    """Read and compress the widget once per process."""
    body = files("anbefal_widget").joinpath(WIDGET_FILE).read_bytes()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        version=hashlib.sha256(body).hexdigest()[:16],
    )
