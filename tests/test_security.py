"""Security tests that walk every route the app has (those added later too):
CORS only where the widget needs it, never credentials, no cookies on public
routes, CSP and nosniff on pages, body limits and JSON errors on the API, and
X-Forwarded-* believed from exactly ANBEFAL_PROXIES proxies."""

from __future__ import annotations

import os
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import LiveServer, count_rows, csrf_token_of
from werkzeug.routing import Rule
from werkzeug.routing.converters import IntegerConverter, PathConverter, UUIDConverter

from collector import create_app, demo, security, storage
from collector.tokens import Tokens

EVIL = "https://evil.example"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
BODY_METHODS = ("POST", "PATCH", "PUT", "DELETE")
# Routes the widget needs from any shop's pages: the only ones with CORS.
CORS_ENDPOINT_PREFIXES = ("api.", "openapi.")
CORS_ENDPOINTS = {"embed.widget_script", "embed.versioned_widget_script"}
# Not rate limited: a health check must never be refused, a CDN fetches the
# script, and the description is a static file.
UNLIMITED_ENDPOINTS = {"embed.widget_script", "embed.versioned_widget_script", "embed.healthz", "openapi.openapi_json"}


@dataclass
class Route:
    rule: Rule
    method: str
    url: str

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule} ({self.endpoint})"


def is_admin(rule: Rule) -> bool:
    return rule.endpoint.startswith("admin") or rule.rule.startswith("/admin")


def is_link_or_export(rule: Rule) -> bool:
    text = f"{rule.endpoint} {rule.rule}".lower()
    return "link" in text or "export" in text or rule.rule.startswith("/s/")


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def sample_url(rule: Rule) -> str:
    """Fill the rule's variables with harmless sample values."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 987654
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.UUID(int=1)
        elif isinstance(converter, PathConverter):
            values[name] = "sample/path"
        else:
            values[name] = "sample"
    _, url = rule.build(values, append_unknown=False)
    return url


def routes(app, *, where=lambda rule: True) -> Iterator[Route]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not where(rule):
            continue
        url = sample_url(rule)
        for method in sorted(rule.methods - {"HEAD"}):
            yield Route(rule, method, url)


@pytest.fixture
def app(db_path):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key", "DEMO": True, "RATELIMIT": "off"})
    conn = storage.connect(db_path)
    demo.seed(conn, answers=20)
    conn.close()
    yield app
    storage.close_connections()


def send(client, route: Route, **kwargs):
    headers = {"Origin": EVIL, "User-Agent": CHROME, **kwargs.pop("headers", {})}
    if route.method == "OPTIONS":
        headers["Access-Control-Request-Method"] = "POST"
    return client.open(route.url, method=route.method, headers=headers, **kwargs)


def test_the_walk_covers_the_known_routes(app):
    walked = {route.endpoint for route in routes(app)}
    assert {"api.create_response", "api.update_response", "api.widget_config", "embed.demo"} <= walked


def test_no_route_allows_credentials_from_any_origin(app, client):
    for route in routes(app):
        for origin in (EVIL, "https://shop.example", "null"):
            r = send(client, route, headers={"Origin": origin}, json={})
            assert "Access-Control-Allow-Credentials" not in r.headers, route


def test_cors_only_on_the_widgets_routes(app, client):
    # A preflight is answered per path: where a widget route shares the path
    # (GET /api/v1/responses of the read API), the preflight is the widget's,
    # and the route's own answers, checked here, carry no CORS header.
    widget_paths = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith(CORS_ENDPOINT_PREFIXES)}
    for route in routes(app, where=lambda rule: not rule.endpoint.startswith(CORS_ENDPOINT_PREFIXES)):
        if route.endpoint in CORS_ENDPOINTS or (route.method == "OPTIONS" and route.rule.rule in widget_paths):
            continue
        for origin in (EVIL, "http://127.0.0.1", "null"):
            r = send(client, route, headers={"Origin": origin}, json={})
            assert "Access-Control-Allow-Origin" not in r.headers, route


def test_no_cors_on_admin_link_or_export_routes_wherever_they_live(app, client):
    for route in routes(app, where=lambda rule: is_admin(rule) or is_link_or_export(rule)):
        for origin in (EVIL, "https://shop.example", "null"):
            r = send(client, route, headers={"Origin": origin}, json={})
            assert "Access-Control-Allow-Origin" not in r.headers, route


def test_no_cookies_on_public_routes(app, client):
    for route in routes(app, where=lambda rule: not is_admin(rule)):
        for kwargs in ({}, {"json": {"score": 9}}, {"data": "not json", "content_type": "text/plain"}):
            r = send(client, route, **kwargs)
            assert "Set-Cookie" not in r.headers, route
    assert client.get_cookie("session") is None


def test_pages_have_a_csp_and_everything_is_nosniff(app, client):
    pages = 0
    for route in routes(app):
        if route.method != "GET":
            continue
        r = send(client, route)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", route
        if r.mimetype == "text/html":
            pages += 1
            assert_strict_csp(r.headers.get("Content-Security-Policy", ""), route)
    assert pages >= 1  # the demo page at least


def assert_strict_csp(csp: str, route) -> None:
    """A page's own policy may be stricter than the default one, never looser."""
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("default-src") in (["'self'"], ["'none'"]), (route, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (route, csp)
    assert directives.get("object-src", ["'none'"]) == ["'none'"] or directives["default-src"] == ["'none'"]
    assert "'unsafe-inline'" not in directives.get("script-src", []), (route, csp)
    assert "'unsafe-eval'" not in csp, (route, csp)


def test_error_pages_get_the_headers_too(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "Content-Security-Policy" in r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.is_json
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/demo", "page"),
        ("/no-such-page", "page"),
        ("/s/not-a-token", "link"),
        ("/admin/login", "admin"),
        ("/anbefal.js", "public"),
        ("/api/v1/openapi.json", "public"),
    ],
)
def test_each_kind_of_answer_gets_its_headers_from_the_one_table(client, path, kind):
    r = client.get(path)
    for name, value in {**security.HEADERS["every"], **security.HEADERS[kind]}.items():
        # A link page without a sender's logo fills {logo} with nothing.
        assert r.headers.get(name) == value.replace("{logo}", ""), (path, name)


def test_no_module_writes_a_safety_header_of_its_own():
    """Policies and framing rules live in collector/security.py alone."""
    root = Path(security.__file__).parent.parent
    needles = ('"Content-Security-Policy"', '"X-Frame-Options"', '"Referrer-Policy"', "default-src", "frame-ancestors")
    for path in sorted([*root.glob("collector/**/*.py"), *root.glob("admin/**/*.py")]):
        if path == Path(security.__file__):
            continue
        text = path.read_text(encoding="utf-8")
        assert not [needle for needle in needles if needle in text], path


# -- errors on the public API ---------------------------------------------------


def assert_json_error(r, status: int, route) -> None:
    assert r.status_code == status, (route, r.status_code, r.get_data(as_text=True)[:200])
    assert r.is_json, route
    error = r.get_json()["error"]
    assert set(error) == {"code", "message"} and error["code"] and error["message"], route


def api_routes(app) -> Iterator[Route]:
    return routes(app, where=lambda rule: is_api(rule) and not is_admin(rule))


def test_api_405_is_json_with_allow(app, client):
    # One path may have rules in two blueprints (GET and POST /api/v1/responses):
    # Allow names the methods of them all.
    methods: dict[str, set[str]] = {}
    for route in api_routes(app):
        methods.setdefault(route.rule.rule, set()).update(route.rule.methods)
    for rule in {route.rule.rule: route.rule for route in api_routes(app)}.values():
        refused = sorted({"GET", "POST", "PATCH", "PUT", "DELETE"} - methods[rule.rule])[0]
        r = client.open(sample_url(rule), method=refused)
        assert_json_error(r, 405, rule)
        assert set(r.headers["Allow"].replace(" ", "").split(",")) == methods[rule.rule]


def test_api_404_is_json(app, client):
    assert_json_error(client.get("/api/v1/no-such-thing"), 404, "unknown path")
    assert_json_error(client.post("/api/v1/responses/1/nothing", json={}), 404, "unknown path")


def test_every_public_route_that_takes_a_body_has_a_size_limit(app, client):
    checked = 0
    oversized = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for route in routes(app, where=lambda rule: not is_admin(rule)):
        if route.method not in BODY_METHODS:
            continue
        r = send(client, route, data=oversized, content_type="application/json")
        assert r.status_code == 413, route
        if is_api(route.rule):
            assert_json_error(r, 413, route)
        checked += 1
    assert checked >= 3


def test_the_widget_api_has_a_smaller_limit(app, client):
    body = b'{"comment": "' + b"x" * app.config["API_MAX_BODY"] + b'"}'
    for route in routes(app, where=lambda rule: rule.endpoint.startswith("api.")):
        if route.method in BODY_METHODS:
            assert_json_error(send(client, route, data=body, content_type="application/json"), 413, route)


def test_api_routes_that_take_a_body_answer_400_and_415_as_json(app, client):
    from collector import api_keys

    with app.app_context():
        _, key = api_keys.create("security test")
    auth = {"Authorization": f"Bearer {key}"}  # routes that need no key ignore it
    for route in api_routes(app):
        if route.method not in BODY_METHODS:
            continue
        r = send(client, route, data=b"{", content_type="application/json", headers=auth)
        assert_json_error(r, 400, route)
        r = send(client, route, data=b"<a/>", content_type="application/xml", headers=auth)
        assert_json_error(r, 415, route)
        assert_json_error(send(client, route, json=[1, 2], headers=auth), 400, route)


def test_api_routes_that_read_a_token_answer_400_as_json(client):
    assert_json_error(client.get("/api/v1/widget"), 400, "widget without token")
    assert_json_error(client.get("/api/v1/widget?token=forged"), 400, "widget with a forged token")


def test_api_500_is_json_and_tells_nothing(app, client, caplog):
    def fail_when_asked():
        from flask import request

        if request.headers.get("X-Fail"):
            raise RuntimeError("secret detail of a crash")

    app.before_request_funcs.setdefault(None, []).insert(0, fail_when_asked)
    for route in api_routes(app):
        if route.method == "OPTIONS":
            continue
        r = send(client, route, headers={"X-Fail": "1"}, json={})
        assert_json_error(r, 500, route)
        assert "secret detail" not in r.get_data(as_text=True)
        assert r.get_json()["error"]["code"] == "internal_error"
    assert "secret detail of a crash" in caplog.text  # logged for the owner


def test_every_limited_api_route_answers_429_as_json(db_path):
    limits = {
        "RATELIMIT_WRITES": "1/hour",
        "RATELIMIT_READS": "1/hour",
        "RATELIMIT_LINK_API": "1/hour",
        "RATELIMIT_READ_API": "1/hour",
    }
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", **limits})
    client = app.test_client()
    limited = 0
    for route in api_routes(app):
        if route.method == "OPTIONS" or route.endpoint in UNLIMITED_ENDPOINTS:
            continue
        # Each route from an address of its own, so its second request is the refused one.
        address = f"198.51.100.{limited + 1}"
        send(client, route, json={}, environ_base={"REMOTE_ADDR": address})
        r = send(client, route, json={}, environ_base={"REMOTE_ADDR": address})
        assert_json_error(r, 429, route)
        assert int(r.headers["Retry-After"]) > 0
        limited += 1
    assert limited >= 3
    for endpoint in UNLIMITED_ENDPOINTS - {"embed.versioned_widget_script"}:
        url = app.url_map.bind("localhost").build(endpoint)
        assert all(client.get(url).status_code == 200 for _ in range(3)), endpoint
    storage.close_connections()


# -- whom to believe about the client's address ------------------------------


def proxied_app(db_path, proxies):
    app = create_app(
        {"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "PROXIES": proxies, "RATELIMIT_WRITES": "1/hour"}
    )
    conn = storage.connect(db_path)
    token = Tokens(["k"]).make_embed_token(storage.insert_touchpoint(conn, "checkout").id)
    conn.close()

    @app.get("/whoami-for-test")
    def whoami():
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme}

    return app.test_client(), token


def post_via(client, token, forwarded_for: str, ref: str):
    return client.post(
        "/api/v1/responses",
        json={"token": token, "score": 9, "ref": ref},
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https", "User-Agent": CHROME},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )


def test_without_proxies_a_forged_forwarded_for_is_ignored(db_path):
    client, token = proxied_app(db_path, 0)
    assert post_via(client, token, "203.0.113.1", "a").status_code == 201
    # Another forged address does not buy another answer: the limit is on 10.0.0.2.
    assert post_via(client, token, "203.0.113.2", "b").status_code == 429
    environ = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.1", "HTTP_X_FORWARDED_PROTO": "https"}
    assert client.get("/whoami-for-test", environ_base=environ).get_json() == {"addr": "10.0.0.2", "scheme": "http"}
    storage.close_connections()


def test_with_one_proxy_only_its_entry_is_believed(db_path):
    client, token = proxied_app(db_path, 1)
    # nginx appends the address it saw; anything before it came from the client.
    assert post_via(client, token, "203.0.113.1, 198.51.100.7", "a").status_code == 201
    assert post_via(client, token, "203.0.113.99, 198.51.100.7", "b").status_code == 429
    assert post_via(client, token, "203.0.113.1, 198.51.100.8", "c").status_code == 201
    environ = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    seen = client.get("/whoami-for-test", environ_base=environ).get_json()
    assert seen == {"addr": "198.51.100.7", "scheme": "https"}
    storage.close_connections()


@pytest.mark.parametrize("value", [-1, "two", "1.5", True])
def test_a_bad_proxies_setting_stops_the_app(db_path, value):
    with pytest.raises(ValueError, match="ANBEFAL_PROXIES"):
        create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "PROXIES": value})


@pytest.mark.slow
def test_gunicorn_believes_no_forwarded_header_either(tmp_path):
    """Under gunicorn (which trusts X-Forwarded-Proto from 127.0.0.1 by
    default) a forged scheme changes nothing with ANBEFAL_PROXIES unset."""
    server = LiveServer(str(tmp_path / "live.db"), tmp_path, args=["--demo"]).start()
    try:
        request = urllib.request.Request(
            server.url + "/demo", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            page = reply.read().decode()
            assert "Content-Security-Policy" in reply.headers
        assert f'src="{server.url}/anbefal' in page  # the widget script, at the address as connected
        assert "https://" not in page
    finally:
        server.stop()


# -- no address in the database ---------------------------------------------------


def test_no_client_address_is_stored_whatever_is_requested(db_path):
    """Every route, a widget answer, a link answer and failed logins, all from
    one address: the address appears nowhere in the database file."""
    address = "203.0.113.199"
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "DEMO": True})
    conn = storage.connect(db_path)
    tp = storage.insert_touchpoint(conn, "checkout")
    tokens = Tokens(["k"])
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    for route in routes(app):
        send(client, route, json={"score": 9}, environ_base=environ)
    widget = {"token": tokens.make_embed_token(tp.id), "score": 7, "comment": "ok"}
    assert send_answer(client, widget, environ).status_code == 201
    link = "/s/" + tokens.make_link_token(tp.id, ref="T-5")
    page = client.get(link + "?score=8", environ_base=environ).get_data(as_text=True)
    form_token = page.split('name="form_token" value="')[1].split('"')[0]
    assert client.post(link, data={"score": "8", "form_token": form_token}, environ_base=environ).status_code == 200
    csrf = csrf_token_of(client.get("/admin/login", environ_base=environ).get_data(as_text=True))
    for _ in range(3):
        login = {"email": "who@example.com", "password": "wrong", "csrf_token": csrf}
        assert client.post("/admin/login", data=login, environ_base=environ).status_code == 401
    assert storage.count_responses(conn) == 2
    assert count_rows(conn, "rate_limits") > 0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dump = "\n".join(conn.iterdump())
    assert address not in dump
    for path in (db_path, db_path + "-wal"):
        if os.path.exists(path):
            assert address.encode() not in Path(path).read_bytes(), path
    conn.close()
    storage.close_connections()


def send_answer(client, body, environ):
    return client.post("/api/v1/responses", json=body, headers={"User-Agent": CHROME}, environ_base=environ)
