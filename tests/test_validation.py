"""Every bad input gets a 4xx JSON error and leaves the database unchanged."""

from __future__ import annotations

import json
import re

import pytest

from collector import openapi, storage, tokens, validation
from collector.assets import widget_asset

VALID = {"score": 8}

# (what is sent, expected status, expected error code). The token is added by
# the test unless the case is about the token itself.
BAD_BODIES = [
    ({"score": 7.5}, 400, "invalid_score"),
    ({"score": 11.0}, 400, "invalid_score"),
    ({"score": 1e300}, 400, "invalid_score"),
    ({"score": "7"}, 400, "invalid_score"),
    ({"score": True}, 400, "invalid_score"),
    ({"score": None}, 400, "invalid_score"),
    ({}, 400, "invalid_score"),
    ({"score": -1}, 400, "invalid_score"),
    ({"score": 11}, 400, "invalid_score"),
    ({"score": 10**30}, 400, "invalid_score"),
    ({"score": [9]}, 400, "invalid_score"),
    ({"score": 9, "comment": "x" * 2001}, 400, "invalid_comment"),
    ({"score": 9, "comment": 5}, 400, "invalid_comment"),
    ({"score": 9, "comment": "nul\x00byte"}, 400, "invalid_comment"),
    ({"score": 9, "comment": "bell\x07"}, 400, "invalid_comment"),
    ({"score": 9, "comment": "c1\x85control"}, 400, "invalid_comment"),
    ({"score": 9, "ref": "r" * 201}, 400, "invalid_ref"),
    ({"score": 9, "ref": "line\nbreak"}, 400, "invalid_ref"),
    ({"score": 9, "ref": 123}, 400, "invalid_ref"),
    ({"score": 9, "properties": ["a"]}, 400, "invalid_properties"),
    ({"score": 9, "properties": "segment=b2b"}, 400, "invalid_properties"),
    ({"score": 9, "properties": {"nested": {"a": "b"}}}, 400, "invalid_properties"),
    ({"score": 9, "properties": {"n": 5}}, 400, "invalid_properties"),
    ({"score": 9, "properties": {"bad key": "x"}}, 400, "invalid_properties"),
    ({"score": 9, "properties": {"k": "v" * 201}}, 400, "invalid_properties"),
    ({"score": 9, "properties": {f"k{i}": "v" for i in range(21)}}, 400, "invalid_properties"),
    ({"score": 9, "properties": {"k": "tab\tvalue"}}, 400, "invalid_properties"),
    ({"score": 9, "locale": "not a locale"}, 400, "invalid_locale"),
    ({"score": 9, "page": "javascript:alert(1)"}, 400, "invalid_page"),
    ({"score": 9, "page": "https://x/" + "p" * 2000}, 400, "invalid_page"),
    ({"score": 9, "extra": 1}, 400, "unknown_field"),
]

BAD_RAW = [
    # (raw body, content type, status, code)
    ('{"score": NaN, "token": "t"}', "text/plain", 400, "invalid_json"),
    ('{"score": Infinity}', "application/json", 400, "invalid_json"),
    ("[1, 2]", "application/json", 400, "invalid_json"),
    ('"just a string"', "application/json", 400, "invalid_json"),
    ("{not json", "text/plain", 400, "invalid_json"),
    ("", "text/plain", 400, "invalid_json"),
    (b"\xff\xfe{}", "text/plain", 400, "invalid_encoding"),
    ('{"score": 9}', "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"score": 9}', "multipart/form-data; boundary=x", 415, "unsupported_media_type"),
    ("[" * 100000, "text/plain", 413, "body_too_large"),
    ('{"comment": "' + "x" * 9000 + '"}', "text/plain", 413, "body_too_large"),
]


@pytest.fixture
def token(tokens, make_touchpoint):
    return tokens.make_embed_token(make_touchpoint("checkout").id)


def assert_refused(response, status, code, conn, before):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert storage.count_responses(conn) == before


@pytest.mark.parametrize(("body", "status", "code"), BAD_BODIES)
def test_bad_bodies_are_refused(client, conn, token, body, status, code):
    storage.insert_response(conn, 1, 5)  # something already stored must stay as it is
    before = storage.count_responses(conn)
    r = client.post("/api/v1/responses", data=json.dumps({"token": token, **body}), content_type="text/plain")
    assert_refused(r, status, code, conn, before)


@pytest.mark.parametrize(("raw", "content_type", "status", "code"), BAD_RAW)
def test_bad_raw_bodies_are_refused(client, conn, token, raw, content_type, status, code):
    r = client.post("/api/v1/responses", data=raw, content_type=content_type)
    assert_refused(r, status, code, conn, 0)


@pytest.mark.parametrize("escape", [r"\ud800", r"\udfff", r"a\ud83d"])
def test_lone_surrogates_are_refused(client, conn, token, escape):
    raw = '{"token": "TOKEN", "score": 9, "comment": "ESCAPE"}'.replace("TOKEN", token).replace("ESCAPE", escape)
    r = client.post("/api/v1/responses", data=raw, content_type="text/plain")
    assert_refused(r, 400, "invalid_comment", conn, 0)


@pytest.mark.parametrize("bad_token", [None, "", 5, "nonsense", "eyJ0cCI6MX0.forged"])
def test_bad_tokens_are_refused(client, conn, bad_token):
    r = client.post("/api/v1/responses", json={"token": bad_token, **VALID})
    assert_refused(r, 400, "invalid_token", conn, 0)


def test_surrogate_pair_emoji_is_fine(client, conn, token):
    raw = '{"token": "TOKEN", "score": 9, "comment": "\\ud83d\\ude80 fast"}'.replace("TOKEN", token)
    r = client.post("/api/v1/responses", data=raw, content_type="text/plain")
    assert r.status_code == 201
    assert storage.get_response(conn, r.get_json()["id"])["comment"] == "🚀 fast"


def test_a_score_written_with_a_zero_fraction_is_that_score(client, conn, token):
    r = client.post("/api/v1/responses", data=f'{{"token": "{token}", "score": 9.0}}', content_type="application/json")
    assert r.status_code == 201
    assert storage.get_response(conn, r.get_json()["id"])["score"] == 9


def test_empty_ref_locale_and_page_are_none(client, conn, token):
    r = client.post("/api/v1/responses", json={"token": token, "score": 9, "ref": "", "locale": "", "page": ""})
    row = storage.get_response(conn, r.get_json()["id"])
    assert (row["ref"], row["locale"], row["page"]) == (None, None, None)


def test_whitespace_only_comment_and_ref_are_stored_as_none(client, conn, token):
    r = client.post("/api/v1/responses", json={"token": token, "score": 9, "comment": "  \n ", "ref": "  "})
    row = storage.get_response(conn, r.get_json()["id"])
    assert (row["comment"], row["ref"]) == (None, None)


@pytest.mark.parametrize(
    ("patch", "status", "code"),
    [
        ({"comment": "x" * 2001}, 400, "invalid_comment"),
        ({"score": 7.5}, 400, "invalid_score"),
        ({"score": 11.0}, 400, "invalid_score"),
        ({"score": 1e300}, 400, "invalid_score"),
        ({"score": None}, 400, "invalid_score"),
        ({"comment": "ok", "token": "x"}, 400, "unknown_field"),
    ],
)
def test_bad_patches_change_nothing(client, conn, token, patch, status, code):
    created = client.post("/api/v1/responses", json={"token": token, "score": 5, "comment": "first"}).get_json()
    r = client.patch(f"/api/v1/responses/{created['id']}", json={"secret": created["secret"], **patch})
    assert r.status_code == status
    assert r.get_json()["error"]["code"] == code
    row = storage.get_response(conn, created["id"])
    assert (row["score"], row["comment"]) == (5, "first")


# -- the same limits in openapi.json, the widget and the admin ------------------

SCHEMAS = openapi.spec()["components"]["schemas"]
WIDGET = widget_asset().source.decode()


def widget_number(pattern: str) -> int:
    """The number that *pattern* (one group) finds in the widget's source."""
    found = re.findall(pattern, WIDGET)
    assert len(found) == 1, f"{pattern!r} found {len(found)} times in anbefal.js: update this test"
    return int(found[0])


def test_openapi_states_the_limits_that_are_checked():
    new = SCHEMAS["NewResponse"]["properties"]
    properties = new["properties"]
    assert SCHEMAS["Comment"]["maxLength"] == validation.MAX_COMMENT
    assert new["ref"]["maxLength"] == validation.MAX_REF
    assert new["page"]["maxLength"] == validation.MAX_PAGE
    assert new["locale"]["maxLength"] == validation.MAX_LOCALE
    assert properties["maxProperties"] == validation.MAX_PROPERTIES
    assert properties["propertyNames"] == {
        "pattern": validation.PROPERTY_KEY.pattern,
        "maxLength": validation.MAX_PROPERTY_KEY,
    }
    assert properties["additionalProperties"]["maxLength"] == validation.MAX_PROPERTY_VALUE
    link = SCHEMAS["NewLink"]["properties"]
    assert link["touchpoint"]["maxLength"] == validation.MAX_TOUCHPOINT_NAME
    assert link["ref"]["maxLength"] == validation.MAX_REF
    widget_token = openapi.spec()["paths"]["/api/v1/widget"]["get"]["parameters"][0]
    assert widget_token["name"] == "token"
    lengths = {new["token"]["maxLength"], SCHEMAS["ResponseUpdate"]["properties"]["secret"]["maxLength"]}
    assert lengths | {widget_token["schema"]["maxLength"]} == {tokens.MAX_TOKEN}


def test_openapi_refuses_the_control_characters_that_are_refused():
    new = SCHEMAS["NewResponse"]["properties"]
    one_line = [new["ref"]["pattern"], new["properties"]["additionalProperties"]["pattern"]]
    multiline = SCHEMAS["Comment"]["pattern"]
    for code in [*range(0x00, 0x200), 0x2028, 0xFEFF, 0x1F680]:
        char = chr(code)
        for pattern in one_line:
            assert bool(re.search(pattern, "a" + char + "b")) != validation.has_control(char), (pattern, code)
        assert bool(re.search(multiline, "a" + char + "b")) != validation.has_control(char, multiline=True), code
        page = "https://shop.example/" + char + "x"  # in the middle: Python's $ also matches before a last newline
        assert bool(re.search(new["page"]["pattern"], page)) != validation.has_control(char), code


def test_the_widget_trims_to_the_limits_that_are_checked():
    assert widget_number(r"maxlength: (\d+)") == validation.MAX_COMMENT
    assert widget_number(r"ref\.slice\(0, (\d+)\)") == validation.MAX_REF
    assert widget_number(r"location\.pathname\)\.slice\(0, (\d+)\)") == validation.MAX_PAGE
    assert widget_number(r"count < (\d+)") == validation.MAX_PROPERTIES
    assert widget_number(r"String\(value\)\.slice\(0, (\d+)\)") == validation.MAX_PROPERTY_VALUE


def test_the_widget_keeps_the_property_names_the_collector_takes():
    # The widget's test of a name, run by Python: \w in a JavaScript regex
    # without the u flag is ASCII, as it is here with re.ASCII.
    found = re.findall(r"/(\^[^/]*\$)/\.test\(key\)", WIDGET)
    assert len(found) == 1, "the widget's test of property names has moved: update this test"
    widget_key = re.compile(found[0], re.ASCII)
    longest = validation.MAX_PROPERTY_KEY
    names = ["segment", "a.b-c_d", "_x", "9", "x" * longest, "x" * (longest + 1), "", ".x", "-x", "a b", "é", "a/b"]
    names += [f"a{c}" for c in map(chr, range(32, 127))]
    for name in names:
        assert bool(widget_key.match(name)) == validation.is_property_key(name), name
