"""Files served as they are (the widget script, the link pages' script and
stylesheet): read once per process, compressed, and named by their content,
so that a URL with that name can be cached for good."""

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
def package_asset(package: str, *path: str) -> Asset:
    """Read and compress a file of *package* once per process."""
    body = files(package).joinpath(*path).read_bytes()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        version=hashlib.sha256(body).hexdigest()[:16],
    )


def widget_asset() -> Asset:
    """The widget script, read and compressed once per process."""
    return package_asset("anbefal_widget", WIDGET_FILE)
