"""The OpenAPI description matches the real routes, and real requests and
answers match its schemas (checked with jsonschema, as OpenAPI 3.1 schemas
are JSON Schema 2020-12)."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

import collector
from collector import openapi, storage

ORIGIN = "https://shop.example"
SPEC = openapi.spec()
UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref (#/components/...) of the description."""
    while "$ref" in node and len(node) == 1:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    # The components travel along, so "#/components/schemas/..." resolves.
    return jsonschema.Draft202012Validator({"components": SPEC["components"], **schema})


def schema_of(name: str) -> jsonschema.Draft202012Validator:
    return validator({"$ref": f"#/components/schemas/{name}"})


def operation(path: str, method: str) -> dict[str, Any]:
    return SPEC["paths"][path][method.lower()]


def check_answer(response, path: str, method: str) -> Any:
    """Assert that the answer's status is documented and its body fits the schema."""
    documented = operation(path, method)["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {path} answered {status}, not in the description"
    spec_response = resolve(documented[status])
    content = spec_response["content"]
    assert response.mimetype in content, response.mimetype
    body = response.get_json()
    validator(content[response.mimetype]["schema"]).validate(body)
    for header, header_spec in spec_response.get("headers", {}).items():
        if header_spec.get("required"):
            assert header in response.headers
    return body


def public_api_routes(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route under /api/, and /healthz, but the admin's."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        if rule.endpoint.startswith("admin"):  # behind a login: not part of the public API
            continue
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    return routes


@pytest.fixture
def touchpoint(make_touchpoint):
    return make_touchpoint("checkout", origins=[ORIGIN])


@pytest.fixture
def token(tokens, touchpoint):
    return tokens.make_embed_token(touchpoint.id)


def post(client, body: Any, content_type: str = "application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post("/api/v1/responses", data=data, content_type=content_type, headers={"Origin": ORIGIN, **UA})


# -- the document ----------------------------------------------------------


def test_description_is_served_as_shipped_and_readable_from_any_origin(client):
    response = client.get("/api/v1/openapi.json", headers={"Origin": "https://docs.example"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == SPEC
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Set-Cookie" not in response.headers
    check_answer(response, "/api/v1/openapi.json", "GET")


def test_description_is_openapi_31_with_valid_schemas():
    assert SPEC["openapi"] == "3.1.0"
    assert SPEC["info"]["version"] == collector.__version__
    for schema in SPEC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    text = json.dumps(SPEC)
    for ref in set(re.findall(r'"\$ref": "([^"]+)"', text)):
        assert resolve({"$ref": ref}), ref


def test_every_public_api_route_is_described_and_nothing_else(app):
    described = {(path, method) for path, item in SPEC["paths"].items() for method in item}
    routes = public_api_routes(app)
    assert not routes - described, f"describe these routes in collector/openapi.json: {sorted(routes - described)}"
    assert not described - routes, f"collector/openapi.json describes routes that do not exist: {described - routes}"


def test_path_parameters_match_the_routes():
    for path, item in SPEC["paths"].items():
        in_path = set(re.findall(r"{([^}]+)}", path))
        for op in item.values():
            declared = {p["name"] for p in map(resolve, op.get("parameters", [])) if p["in"] == "path"}
            assert declared == in_path, path


# -- real exchanges against the schemas ------------------------------------


def test_widget_config_matches_its_schema(client, token):
    for query in ({"token": token}, {"token": token, "lang": "da"}, {"token": token, "page_lang": "de-DE"}):
        response = client.get("/api/v1/widget", query_string=query, headers={"Origin": ORIGIN})
        assert response.status_code == 200
        check_answer(response, "/api/v1/widget", "GET")


def test_widget_config_errors_match_the_error_schema(client, token):
    cases = [({}, ORIGIN, 400), ({"token": "forged"}, ORIGIN, 400), ({"token": token}, "https://evil.example", 403)]
    for query, origin, status in cases:
        response = client.get("/api/v1/widget", query_string=query, headers={"Origin": origin})
        assert response.status_code == status
        check_answer(response, "/api/v1/widget", "GET")


def test_valid_answers_fit_the_request_schema_and_the_created_schema(client, conn, token):
    bodies = [
        {"token": token, "score": 0},
        {
            "token": token,
            "score": 10,
            "comment": "Quick delivery.\nGood packaging.",
            "ref": "ORDER-7",
            "properties": {"segment": "business", "agent.name": "north-1"},
            "locale": "da-DK",
            "page": "https://shop.example/checkout/done",
        },
        {"token": token, "score": 7, "comment": None, "ref": None, "properties": None, "locale": None, "page": None},
    ]
    for body in bodies:
        schema_of("NewResponse").validate(body)
        for content_type in ("application/json", "text/plain;charset=UTF-8"):
            response = post(client, body, content_type)
            assert response.status_code == 201, response.get_data(as_text=True)
            created = check_answer(response, "/api/v1/responses", "POST")
            assert storage.get_response(conn, created["id"])["score"] == body["score"]


# Each is sent with the touchpoint's token, except the first, which has none.
INVALID_ANSWERS = [
    {"token": None, "score": 9},
    {"score": 11},
    {"score": -1},
    {"score": True},
    {"score": "9"},
    {"score": 9, "unknown": 1},
    {"score": 9, "comment": "x" * 2001},
    {"score": 9, "ref": "r" * 201},
    {"score": 9, "comment": 5},
    {"score": 9, "locale": "not a locale"},
    {"score": 9, "page": "javascript:alert(1)"},
    {"score": 9, "properties": ["a"]},
    {"score": 9, "properties": {"bad key": "x"}},
    {"score": 9, "properties": {"k": 1}},
    {"score": 9, "properties": {f"k{n}": "v" for n in range(21)}},
]


@pytest.mark.parametrize("fields", INVALID_ANSWERS, ids=range(len(INVALID_ANSWERS)))
def test_answers_the_schema_refuses_are_refused_by_the_server(client, conn, token, fields):
    body = {"token": token, **fields}
    if body["token"] is None:
        del body["token"]
    assert not schema_of("NewResponse").is_valid(body)
    response = post(client, body)
    assert response.status_code == 400
    check_answer(response, "/api/v1/responses", "POST")
    assert storage.count_responses(conn) == 0


def test_body_errors_match_the_error_schema(client, conn, token):
    cases = [
        (b"not json", "application/json", 400),
        (b'{"token": "x", "score": NaN}', "application/json", 400),
        (json.dumps({"token": token, "score": 9}).encode(), "application/x-www-form-urlencoded", 415),
        (b'{"comment": "' + b"x" * 10_000 + b'"}', "application/json", 413),
    ]
    for data, content_type, status in cases:
        response = post(client, data, content_type)
        assert response.status_code == status
        check_answer(response, "/api/v1/responses", "POST")
    assert storage.count_responses(conn) == 0


def test_patch_exchanges_match_their_schemas(client, token):
    created = post(client, {"token": token, "score": 6}).get_json()
    path = f"/api/v1/responses/{created['id']}"
    spec_path = "/api/v1/responses/{response_id}"

    update = {"secret": created["secret"], "comment": "The parcel came late."}
    schema_of("ResponseUpdate").validate(update)
    response = client.patch(path, json=update, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert check_answer(response, spec_path, "PATCH") == {
        "id": created["id"],
        "score": 6,
        "comment": "The parcel came late.",
        "next_step": None,
        "drivers": {},
    }

    nothing = {"secret": created["secret"]}
    assert not schema_of("ResponseUpdate").is_valid(nothing)
    response = client.patch(path, json=nothing, headers={"Origin": ORIGIN})
    assert response.status_code == 400
    check_answer(response, spec_path, "PATCH")

    wrong = client.patch(f"/api/v1/responses/{created['id'] + 1}", json=update, headers={"Origin": ORIGIN})
    assert wrong.status_code == 403
    check_answer(wrong, spec_path, "PATCH")


def test_health_matches_its_schema(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    check_answer(response, "/healthz", "GET")


# -- the read API ------------------------------------------------------------


def test_read_api_exchanges_match_their_schemas(app, client, conn, touchpoint):
    from collector import api_keys

    storage.update_touchpoint(conn, touchpoint.id, target_nps=30, language="da")
    first = storage.insert_response(conn, touchpoint.id, 3, comment="Late", ref="O-1", properties={"segment": "b2b"})
    storage.insert_response(conn, touchpoint.id, 10, locale="da-DK", page="https://shop.example/done")
    storage.set_followup(conn, first, "resolved", "Refunded", "owner@example.com")
    with app.app_context():
        read = api_keys.create("bi", ("read",))[1]
        links = api_keys.create("helpdesk")[1]
    cases = [
        ("/api/v1/responses", {}, read, 200),
        ("/api/v1/responses", {"limit": "1"}, read, 200),
        ("/api/v1/responses", {"updated_since": "2000-01-01T00:00:00Z", "category": "detractor"}, read, 200),
        ("/api/v1/responses", {"limit": "0"}, read, 400),
        ("/api/v1/responses", {}, None, 401),
        ("/api/v1/responses", {}, links, 403),
        ("/api/v1/stats", {}, read, 200),
        ("/api/v1/stats", {"period": "all"}, read, 200),
        ("/api/v1/stats", {"since": "2020-01-01", "touchpoint": "checkout", "channel": "widget"}, read, 200),
        ("/api/v1/stats", {"period": "soon"}, read, 400),
        ("/api/v1/touchpoints", {}, read, 200),
        ("/api/v1/touchpoints", {}, links, 403),
    ]
    for path, query, key, status in cases:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code == status, (path, query, response.get_json())
        body = check_answer(response, path, "GET")
        if path == "/api/v1/responses" and status == 200 and query.get("limit") == "1":
            assert body["next"] and len(body["responses"]) == 1


def test_bot_answers_match_their_schemas(app, client, token):
    bot = {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)", "Origin": ORIGIN}
    created = client.post("/api/v1/responses", json={"token": token, "score": 9}, headers=bot)
    assert check_answer(created, "/api/v1/responses", "POST")["id"] == 0
    secret = created.get_json()["secret"]
    spec_path = "/api/v1/responses/{response_id}"
    for update in ({"secret": secret, "comment": "Nice"}, {"secret": secret, "score": 8}):
        response = client.patch("/api/v1/responses/0", json=update, headers=bot)
        assert response.status_code == 200
        check_answer(response, spec_path, "PATCH")
    # What a bot may not send, no one may.
    refused = client.patch("/api/v1/responses/0", json={"secret": secret, "comment": None}, headers=bot)
    assert not schema_of("ResponseUpdate").is_valid({"secret": secret, "comment": None})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "nothing_to_update"
