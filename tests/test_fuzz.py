"""Thousands of generated requests at every public route: never a 5xx, and
nothing stored for a request that was refused."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import BaseConverter, IntegerConverter

from collector import api_keys, create_app, storage
from collector.db import get_tokens

EXAMPLES = 3000
# Blueprints that need a login; every other route is open to anyone.
PRIVATE_BLUEPRINTS = ("admin",)
FIELDS = ["token", "score", "comment", "ref", "properties", "locale", "page", "secret", "lang", "page_lang", "id"]
CONTENT_TYPES = [
    "application/json",
    "text/plain;charset=UTF-8",
    "text/plain",
    "application/json; charset=latin-1",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "text/html",
    "",
    "\x00/\x00",
    "application/json; charset",
]
EXTRA_METHODS = ["PUT", "DELETE", "OPTIONS", "TRACE"]


def public_routes(app) -> list[tuple[str, str, Any]]:
    """Return (method, endpoint, rule) for every public route the app has."""
    routes = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.endpoint == "static" or blueprint.startswith(PRIVATE_BLUEPRINTS):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.endpoint, rule))
    return routes


# -- values of every JSON type, and some that JSON does not have ----------

# Every code point, lone surrogates included; json.dumps escapes them as
# \udxxx, which a parser turns back into a lone surrogate.
any_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None), max_size=60)
control_text = st.text(st.sampled_from("\x00\x01\x08\x0b\x1b\x7f\x85\x9f\t\n\r a\u2028\ufeff"), max_size=10)
huge_ints = st.sampled_from([2**63, -(2**63) - 1, 10**400, -1, 11, 2**31])
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), huge_ints, floats, any_text, control_text, st.integers(0, 10)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)


def json_text(value: Any) -> str:
    # NaN and Infinity come out as bare words, which strict parsers refuse.
    return json.dumps(value, allow_nan=True)


@st.composite
def bodies(draw, valid: dict[str, Any]) -> bytes:
    """A request body: a JSON object near a valid one, any JSON, or bytes."""
    kinds = ["near_valid", "object", "any_json", "bytes", "text", "form", "huge", "empty"]
    # Half of the bodies are a valid one with a few fields changed, to get past the first check.
    kind = draw(st.just("near_valid") | st.sampled_from(kinds))
    if kind == "near_valid":
        body = dict(valid)
        for key in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
            body[key] = draw(json_values)
        for key in draw(st.lists(st.sampled_from(sorted(body)), max_size=2)):
            body.pop(key, None)
        return json_text(body).encode()
    if kind == "object":
        keys = st.one_of(st.sampled_from(FIELDS), any_text)
        return json_text(draw(st.dictionaries(keys, json_values, max_size=8))).encode()
    if kind == "any_json":
        return json_text(draw(json_values)).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        # Lone surrogates as raw (invalid) UTF-8 bytes, not escaped.
        return draw(any_text).encode("utf-8", "surrogatepass")
    if kind == "form":
        return urlencode(draw(st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=30), max_size=5))).encode()
    if kind == "huge":
        return b'{"comment": "' + b"x" * draw(st.integers(8_000, 300_000)) + b'"}'
    return b""


def snapshot(conn: sqlite3.Connection) -> list[tuple]:
    """Everything stored that a refused request must leave alone."""
    rows = [tuple(row) for row in conn.execute("SELECT * FROM responses ORDER BY id")]
    rows += [tuple(row) for row in conn.execute("SELECT * FROM touchpoints ORDER BY id")]
    return rows


@pytest.fixture
def app(db_path):
    # Rate limits off, as ANBEFAL_RATELIMIT=off does, so every request reaches the checks behind them.
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "fuzz-key", "RATELIMIT": "off"})
    yield app
    storage.close_connections()


def test_generated_requests_never_fail_the_server_or_store_refused_data(app, client, conn):
    touchpoint = storage.insert_touchpoint(conn, "fuzz")
    restricted = storage.insert_touchpoint(conn, "fuzz-restricted", origins=["https://shop.example"])
    response_id = storage.insert_response(conn, touchpoint.id, 8, ref="seed")
    with app.app_context():
        tokens = get_tokens()
        token = tokens.make_embed_token(touchpoint.id)
        other_token = tokens.make_embed_token(restricted.id)
        secret = tokens.make_edit_secret(response_id)
        link_token = tokens.make_link_token(touchpoint.id)
        _, api_key = api_keys.create("fuzz")
    # A valid body per method, which the generated bodies start from half of the time.
    valid = {
        "POST": {"token": token, "score": 9, "comment": "fine", "ref": "r1"},
        "PATCH": {"secret": secret, "score": 3, "comment": "better now"},
    }
    routes = public_routes(app)
    assert any(endpoint == "api.create_response" for _, endpoint, _ in routes)
    hits: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    outcomes: Counter[tuple[str, int]] = Counter()

    def path_value(converter: BaseConverter, draw) -> str:
        if isinstance(converter, IntegerConverter):
            return str(draw(st.one_of(st.just(response_id), st.integers(0, 10**6), st.sampled_from([2**63, 10**30]))))
        value = draw(st.one_of(st.sampled_from([token, secret, link_token, other_token]), any_text))
        return quote(value.encode("utf-8", "surrogatepass"), safe="") or "x"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(st.data())
    def one_request(data):
        method, endpoint, rule = data.draw(st.sampled_from(routes))
        if data.draw(st.integers(0, 19)) == 0:
            method = data.draw(st.sampled_from(EXTRA_METHODS))
        path = rule.rule
        for name, converter in rule._converters.items():
            value = path_value(converter, data.draw)
            path = _fill(path, name, value)
        query = {"token": token} if data.draw(st.booleans()) else {}
        query |= data.draw(
            st.dictionaries(
                st.sampled_from(FIELDS),
                st.one_of(st.sampled_from([token, other_token, link_token, "da", "xx"]), any_text),
                max_size=4,
            )
        )
        query_string = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in query.items()})
        headers = {}
        if data.draw(st.booleans()):
            headers["Origin"] = data.draw(st.sampled_from(["https://shop.example", "https://evil.example", "null"]))
        headers["User-Agent"] = data.draw(st.sampled_from(["Mozilla/5.0 Firefox/128.0", "", "curl/8"]))
        if data.draw(st.booleans()):  # the link API wants a key; the other routes ignore it
            headers["Authorization"] = data.draw(st.sampled_from([f"Bearer {api_key}", "Bearer anb_x", "Basic x"]))
        body = data.draw(bodies(valid.get(method, valid["POST"]))) if method != "GET" else b""
        # The two types the widget sends, half of the time; anything else otherwise.
        content_type = data.draw(st.sampled_from(CONTENT_TYPES[:2]) | st.sampled_from(CONTENT_TYPES))

        before = snapshot(conn)
        response = client.open(
            path,
            method=method,
            query_string=query_string,
            data=body,
            content_type=content_type or None,
            headers=headers,
        )
        hits[endpoint] += 1
        statuses[response.status_code] += 1
        outcomes[endpoint, response.status_code] += 1
        assert response.status_code < 500, (method, path, body[:200], response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert snapshot(conn) == before, (method, path, body[:200], response.status_code)
            if path.startswith("/api/"):
                assert response.is_json and set(response.get_json()) == {"error"}

    one_request()
    # Every public route got its share, and the valid-looking ones got through sometimes.
    for _, endpoint, _ in routes:
        assert hits[endpoint] >= EXAMPLES // (4 * len(routes)), hits
    assert outcomes["api.create_response", 201] > 0 and outcomes["api.update_response", 200] > 0, outcomes
    assert statuses[400] > 0 and statuses[415] > 0 and statuses[413] > 0, statuses


def _fill(path: str, name: str, value: str) -> str:
    """Put *value* in place of the <converter:name> placeholder of *path*."""
    return re.sub(r"<(?:[^<>:]+:)?" + re.escape(name) + ">", lambda _: value, path, count=1)
