"""Serving the widget script (size budget, compression, caching, versioned
URL), the snippet that points at it, and the demo shop page."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from collector import create_app, storage
from collector.assets import minify_js, widget_asset
from collector.cli import main
from collector.snippet import snippet_html

BUDGET = 4096  # bytes, gzipped, as served
GZIP = {"Accept-Encoding": "gzip, deflate"}
BROTLI = {"Accept-Encoding": "gzip, deflate, br"}


def test_the_served_widget_fits_the_size_budget(client):
    r = client.get("/anbefal.js", headers=GZIP)
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip"
    served = len(r.data)
    assert served == int(r.headers["Content-Length"])
    assert served <= BUDGET, f"the widget is {served} bytes gzipped, over the {BUDGET} byte budget"
    script = gzip.decompress(r.data)
    assert script == widget_asset().body
    assert b"placeholder" not in script and len(script) > 4000


def test_the_widget_is_sent_minified_and_the_source_stays_readable(client):
    asset = widget_asset()
    assert asset.body.startswith(b"/*! Anbefal")  # the licence comment stays
    assert b"\n  " not in asset.body and b"// " not in asset.body
    assert len(asset.body) < 0.75 * len(asset.source)
    assert b"\n  // " in asset.source  # the file in the repository keeps its comments and indentation


def test_a_stylesheet_in_the_widget_is_minified_as_css():
    source = b"const CSS = /* css */ `\n/* The panel. */\n.p {\n  margin: 0 0 12px;\n  color: #fff;\n}\n`; use(CSS);"
    assert minify_js(source) == b"const CSS=`.p{margin:0 0 12px;color:#fff}`;use(CSS)"
    body = widget_asset().body
    assert b":host{all:initial!important;display:contents!important}" in body and b"/* css */" not in body


def test_brotli_where_the_browser_accepts_it(client):
    r = client.get("/anbefal.js", headers=BROTLI)
    assert r.headers["Content-Encoding"] == "br"
    assert r.headers["Vary"] == "Accept-Encoding"
    assert brotli.decompress(r.data) == widget_asset().body
    assert len(r.data) < len(client.get("/anbefal.js", headers=GZIP).data)


def test_plain_url_short_cache_etag_and_304(client):
    r = client.get("/anbefal.js", headers=GZIP)
    assert r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    assert r.headers["Vary"] == "Accept-Encoding"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    etag = r.headers["ETag"]
    again = client.get("/anbefal.js", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_each_encoding_has_an_etag_of_its_own(client):
    etags = {
        name: client.get("/anbefal.js", headers={"Accept-Encoding": header}).headers["ETag"]
        for name, header in (("br", "br"), ("gzip", "gzip"), ("plain", "identity"))
    }
    assert len(set(etags.values())) == 3
    # The gzip body's ETag does not make a brotli request a 304: the cache holds another representation.
    r = client.get("/anbefal.js", headers={**BROTLI, "If-None-Match": etags["gzip"]})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"


def test_without_gzip_the_plain_file(client):
    r = client.get("/anbefal.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in r.headers
    assert r.data == widget_asset().body
    assert client.get("/anbefal.js").data == widget_asset().body


def test_versioned_url_is_cached_for_good(client):
    version = widget_asset().version
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    r = client.get(f"/anbefal-{version}.js", headers=GZIP)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(r.data) == widget_asset().body


def test_an_old_version_gets_the_current_widget_with_the_short_cache(client):
    r = client.get("/anbefal-0123456789abcdef.js", headers=GZIP)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    assert gzip.decompress(r.data) == widget_asset().body


def test_snippet_points_at_the_versioned_url(app):
    with app.test_request_context():
        html = snippet_html("TOKEN", "https://nps.example", ref="A-1")
    assert html == (
        f'<script async src="https://nps.example/anbefal-{widget_asset().version}.js"'
        ' data-anbefal="TOKEN" data-ref="A-1"></script>'
    )


def test_cli_snippet_uses_public_url_and_version(runner, make_touchpoint, app):
    make_touchpoint("checkout")
    app.config["PUBLIC_URL"] = "https://nps.example/"
    r = runner.invoke(main, ["touchpoint", "snippet", "checkout"], catch_exceptions=False)
    assert f'src="https://nps.example/anbefal-{widget_asset().version}.js"' in r.output


def test_cli_snippet_with_position_and_triggers(runner, make_touchpoint):
    make_touchpoint("checkout")
    args = ["touchpoint", "snippet", "checkout", "--position", "center", "--scroll", "50", "--exit"]
    r = runner.invoke(main, args, catch_exceptions=False)
    assert r.output.rstrip().endswith(' data-position="center" data-scroll="50" data-exit=""></script>')
    r = runner.invoke(main, ["touchpoint", "snippet", "checkout", "--position", "top"])
    assert r.exit_code == 2 and "bottom-right" in r.output


# --------------------------------------------------------------------------
# The demo shop page
# --------------------------------------------------------------------------


@pytest.fixture
def demo_client(db_path):
    from collector import demo

    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key", "DEMO": True})
    conn = storage.connect(db_path)
    demo.seed(conn, answers=0)
    conn.close()
    yield app.test_client()
    storage.close_connections()


def test_demo_page_embeds_the_snippet(demo_client):
    r = demo_client.get("/demo")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="en">' in html
    order = re.search(r"Order <strong>(FK-\d{6})</strong>", html).group(1)
    script = re.search(r"<script async src=\"[^\"]+/anbefal-[0-9a-f]{16}\.js\"[^>]*></script>", html).group(0)
    assert f'data-ref="{order}"' in script
    assert "data-properties=" in script
    assert "data-lang" not in script
    assert "<style" not in html  # styles from a file, so a strict CSP needs no exception
    for asset in ("demo.css", "demo.js", "demo-icon.svg"):
        path = re.search(rf'"(/static/{re.escape(asset)})"', html).group(1)
        with demo_client.get(path) as served:
            assert served.status_code == 200


def test_demo_page_tries_another_language(demo_client):
    html = demo_client.get("/demo?lang=da").get_data(as_text=True)
    assert 'data-lang="da"' in html
    assert 'href="?lang=da" lang="da" hreflang="da" aria-current="page"' in html
    # The shop around the widget speaks the survey's language too; its note on the demo stays English.
    assert '<html lang="da">' in html and "<h1>Tak for din bestilling</h1>" in html
    assert '<aside class="demo-note" aria-label="About this demo" lang="en">' in html
    html = demo_client.get("/demo?lang=xx").get_data(as_text=True)
    assert "data-lang" not in html
    assert '<html lang="en">' in html and "<h1>Thank you for your order</h1>" in html


def test_demo_page_is_off_by_default(client):
    assert client.get("/demo").status_code == 404


def test_every_page_names_the_icon_that_favicon_ico_serves(app, admin_client):
    client = app.test_client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.data.startswith(b"<svg") and icon.headers["Cache-Control"].startswith("public")
    for page in (client.get("/admin/login"), admin_client.get("/admin/")):
        assert '<link rel="icon" type="image/svg+xml" href="/favicon.ico">' in page.text
