"""Files served as they are (the widget script, the link pages' script and
stylesheet): read once per process, compressed, and named by their content,
so that a URL with that name can be cached for good."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import brotli
import minify
import zopfli.gzip

WIDGET_FILE = "anbefal.js"

# What each Content-Encoding we send is called in an ETag's suffix; "" is the plain body.
ENCODINGS = ("br", "gzip", "")


@dataclass(frozen=True)
class Asset:
    # The file as it is in the repository, readable, and what is sent (minified, for the widget).
    source: bytes
    body: bytes
    gzipped: bytes
    brotli: bytes
    # The first 16 hex digits of the sent body's SHA-256: its ETag, and the
    # version in the long-cached URL /anbefal-<version>.js.
    version: str

    @property
    def etag(self) -> str:
        return self.version

    def encoded(self, encoding: str) -> bytes:
        """The body in one of ENCODINGS."""
        return {"br": self.brotli, "gzip": self.gzipped, "": self.body}[encoding]

    def etag_for(self, encoding: str) -> str:
        """The ETag of the body in *encoding*: each encoding is a representation of its own."""
        return f"{self.version}.{encoding}" if encoding else self.version


@cache
def package_asset(package: str, *path: str, minify: Callable[[bytes], bytes] | None = None) -> Asset:
    """Read, minify and compress a file of *package* once per process."""
    source = files(package).joinpath(*path).read_bytes()
    body = minify(source) if minify else source
    return Asset(
        source=source,
        body=body,
        # Zopfli: a few percent smaller than gzip -9, and any gunzip reads it.
        gzipped=zopfli.gzip.compress(body, numiterations=15) if minify else gzip.compress(body, 9, mtime=0),
        brotli=brotli.compress(body, mode=brotli.MODE_TEXT, quality=11),
        version=hashlib.sha256(body).hexdigest()[:16],
    )


# A template literal marked /* css */ holds a stylesheet (with no ${...} in it).
CSS_LITERAL = re.compile(r"/\*\s*css\s*\*/\s*`([^`$]*)`")


def minify_js(source: bytes) -> bytes:
    """Minify a script: comments and white space out, local names shortened,
    and each stylesheet in a /* css */ `...` template literal minified as CSS.

    The /*! licence */ comment stays; nothing newer than ES2017 comes in
    (such as `catch {}`), so browsers of that age still run it.
    """
    minify.config({"js-version": 2017})
    text = CSS_LITERAL.sub(lambda m: "`" + minify.string("text/css", m.group(1)) + "`", source.decode())
    return minify.string("text/javascript", text).encode()


def widget_asset() -> Asset:
    """The widget script, read, minified and compressed once per process."""
    return package_asset("anbefal_widget", WIDGET_FILE, minify=minify_js)
