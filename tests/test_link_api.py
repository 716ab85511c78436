"""POST /api/v1/links: API-key auth, per-recipient links, and its OpenAPI description."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import jsonschema
import pytest

from collector import api_keys, openapi, storage
from collector.cli import main
from collector.links import api, making

SPEC = openapi.spec()
BASE = "https://nps.example.com"


def check_answer(response) -> dict:
    """The status is described for POST /api/v1/links, and the body fits its schema."""
    described = SPEC["paths"]["/api/v1/links"]["post"]["responses"]
    status = str(response.status_code)
    assert status in described, status
    spec_response = described[status]
    if "$ref" in spec_response:
        spec_response = SPEC["components"]["responses"][spec_response["$ref"].rsplit("/", 1)[1]]
    schema = spec_response["content"][response.mimetype]["schema"]
    jsonschema.Draft202012Validator({"components": SPEC["components"], **schema}).validate(response.get_json())
    for header, header_spec in spec_response.get("headers", {}).items():
        if header_spec.get("required"):
            assert header in response.headers
    return response.get_json()


@pytest.fixture
def key(app, runner):
    app.config["PUBLIC_URL"] = BASE
    result = runner.invoke(main, ["apikey", "create", "helpdesk"], catch_exceptions=False)
    return result.stdout.strip()


@pytest.fixture
def support(make_touchpoint):
    return make_touchpoint("support", language="nb")


def post(client, body, key: str | None = None, **headers):
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return client.post("/api/v1/links", data=json.dumps(body), content_type="application/json", headers=headers)


def test_good_key_makes_a_signed_link(client, conn, tokens, key, support):
    response = post(client, {"touchpoint": "support", "ref": "T-1001", "score": 9, "expires": "30d"}, key)
    assert response.status_code == 201
    body = check_answer(response)
    assert body["touchpoint"] == "support" and body["ref"] == "T-1001"
    assert body["url"].startswith(BASE + "/s/") and body["url"].endswith("?score=9")
    assert [url.rsplit("=", 1)[1] for url in body["score_urls"]] == [str(n) for n in range(11)]
    token = urlsplit(body["url"]).path.removeprefix("/s/")
    link = tokens.read_link_token(token)
    assert (link.touchpoint_id, link.ref, link.placeholder) == (support.id, "T-1001", None)
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert abs(expires - (time.time() + 30 * 86400)) < 60 and link.expires_at == int(expires)
    # The key's use is noted; no answer is stored by making a link.
    assert storage.list_api_keys(conn)[0].last_used_at is not None
    assert storage.count_responses(conn) == 0


def test_the_link_opens_the_survey(client, key, support):
    body = post(client, {"touchpoint": "support", "ref": "T-2"}, key).get_json()
    assert body["expires_at"] is None and "?" not in body["url"]
    page = client.get(urlsplit(body["score_urls"][3]).path + "?score=3")
    assert page.status_code == 200 and '<html lang="nb">' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers, code",
    [
        ({}, "missing_api_key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_api_key"),
        ({"Authorization": "Bearer "}, "missing_api_key"),
        ({"Authorization": "Bearer anb_not-a-key"}, "invalid_api_key"),
        ({"Authorization": "Bearer " + "x" * 5000}, "invalid_api_key"),
        ({"Authorization": "Bearer anb_é"}, "invalid_api_key"),
    ],
)
def test_no_key_or_an_unknown_key_is_a_401(client, support, headers, code):
    response = post(client, {"touchpoint": "support", "ref": "T-1"}, **headers)
    assert response.status_code == 401
    assert check_answer(response)["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_a_401(client, runner, key, support):
    assert post(client, {"touchpoint": "support", "ref": "T-1"}, key).status_code == 201
    runner.invoke(main, ["apikey", "revoke", "helpdesk"], catch_exceptions=False)
    response = post(client, {"touchpoint": "support", "ref": "T-1"}, key)
    assert response.status_code == 401 and check_answer(response)["error"]["code"] == "invalid_api_key"


def test_a_key_without_the_links_scope_is_a_403(client, runner, support):
    made = runner.invoke(main, ["apikey", "create", "bi", "--scope", "read"], catch_exceptions=False)
    response = post(client, {"touchpoint": "support", "ref": "T-1"}, made.stdout.strip())
    assert response.status_code == 403
    error = check_answer(response)["error"]
    assert error["code"] == "insufficient_scope"
    assert "--scope links" in error["message"]
    assert 'error="insufficient_scope", scope="links"' in response.headers["WWW-Authenticate"]


def test_keys_are_checked_by_their_hash(app, conn, support, client):
    with app.app_context():
        made, key = api_keys.create("shop")
    assert made.name == "shop" and made.revoked_at is None
    assert conn.execute("SELECT key_hash FROM api_keys").fetchone()[0] == api_keys.hash_key(key)
    assert post(client, {"touchpoint": "support", "ref": "T-1"}, key).status_code == 201
    assert post(client, {"touchpoint": "support", "ref": "T-1"}, key.upper()).status_code == 401


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"ref": "T-1"}, 400, "missing_touchpoint"),
        ({"touchpoint": "support"}, 400, "missing_ref"),
        ({"touchpoint": "support", "ref": ""}, 400, "missing_ref"),
        ({"touchpoint": "support", "ref": "x" * 201}, 400, "invalid_ref"),
        ({"touchpoint": "support", "ref": "a\nb"}, 400, "invalid_ref"),
        ({"touchpoint": "support", "ref": 5}, 400, "invalid_ref"),
        ({"touchpoint": "support", "ref": "T-1", "score": 11}, 400, "invalid_score"),
        ({"touchpoint": "support", "ref": "T-1", "score": "9"}, 400, "invalid_score"),
        ({"touchpoint": "support", "ref": "T-1", "expires": "30"}, 400, "invalid_expires"),
        ({"touchpoint": "support", "ref": "T-1", "expires": 30}, 400, "invalid_expires"),
        ({"touchpoint": "support", "ref": "T-1", "expires": "99999w"}, 400, "invalid_expires"),
        ({"touchpoint": "support", "ref": "T-1", "expires": "\u0663\u0660d"}, 400, "invalid_expires"),
        ({"touchpoint": "support", "ref": "T-1", "extra": 1}, 400, "unknown_field"),
        ({"touchpoint": "nope", "ref": "T-1"}, 404, "unknown_touchpoint"),
        ([1], 400, "invalid_json"),
    ],
)
def test_bad_requests_get_a_clear_error(client, key, support, body, status, code):
    response = post(client, body, key)
    assert response.status_code == status
    assert check_answer(response)["error"]["code"] == code


def test_body_errors(client, key, support):
    headers = {"Authorization": f"Bearer {key}"}
    response = client.post("/api/v1/links", data="touchpoint=support", headers=headers)
    assert response.status_code == 415 and check_answer(response)
    big = json.dumps({"touchpoint": "support", "ref": "x" * 10_000})
    response = client.post("/api/v1/links", data=big, content_type="application/json", headers=headers)
    assert response.status_code == 413 and check_answer(response)
    response = client.post("/api/v1/links", data="{", content_type="text/plain", headers=headers)
    assert response.status_code == 400


def test_no_cors_for_browsers(client, key, support):
    response = client.options(
        "/api/v1/links",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    response = post(client, {"touchpoint": "support", "ref": "T-1"}, key, Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_description_matches_a_valid_request():
    schema = {"components": SPEC["components"], "$ref": "#/components/schemas/NewLink"}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"touchpoint": "support", "ref": "T-1", "score": 9, "expires": "30d"})
    assert not validator.is_valid({"touchpoint": "support"})
    assert not validator.is_valid({"touchpoint": "support", "ref": "T-1", "expires": "30y"})
    assert re.fullmatch(SPEC["components"]["schemas"]["NewLink"]["properties"]["expires"]["pattern"], "2w")


def test_the_description_names_the_fields_and_the_expiry_pattern_of_the_code():
    new_link = SPEC["components"]["schemas"]["NewLink"]
    assert set(new_link["properties"]) == api.LINK_FIELDS
    assert new_link["properties"]["expires"]["pattern"] == making.EXPIRES_PATTERN
