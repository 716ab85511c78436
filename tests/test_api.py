"""The public API: answers, comments, CORS per touchpoint, strict validation."""

from __future__ import annotations

import json

import pytest

from collector import storage

ORIGIN = "https://shop.example"


@pytest.fixture
def touchpoint(make_touchpoint):
    return make_touchpoint("checkout", origins=[ORIGIN])


@pytest.fixture
def token(tokens, touchpoint):
    return tokens.make_embed_token(touchpoint.id)


def post(client, body, *, origin=ORIGIN, content_type="text/plain;charset=UTF-8", address="127.0.0.1"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"Origin": origin} if origin else {}
    return client.post(
        "/api/v1/responses",
        data=data,
        content_type=content_type,
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def rows(conn):
    return storage.count_responses(conn)


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_score_is_stored_with_everything_sent(client, conn, token, touchpoint):
    r = post(
        client,
        {
            "token": token,
            "score": 9,
            "ref": "ORDER-1",
            "properties": {"segment": "business", "department": "north"},
            "locale": "da-DK",
            "page": "https://shop.example/checkout/done",
        },
    )
    assert r.status_code == 201
    body = r.get_json()
    assert set(body) == {"id", "secret", "next_step"}
    row = storage.get_response(conn, body["id"])
    assert row["touchpoint_id"] == touchpoint.id
    assert row["score"] == 9
    assert row["ref"] == "ORDER-1"
    assert row["channel"] == "widget"
    assert row["properties"] == {"segment": "business", "department": "north"}
    assert row["locale"] == "da-DK"
    assert row["page"] == "https://shop.example/checkout/done"
    assert row["created_at"].endswith("Z")
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_json_content_type_is_accepted_too(client, conn, token):
    r = post(client, {"token": token, "score": 0}, content_type="application/json")
    assert r.status_code == 201
    assert rows(conn) == 1


def test_comment_updates_the_same_response(client, conn, token):
    created = post(client, {"token": token, "score": 6}).get_json()
    r = client.patch(
        f"/api/v1/responses/{created['id']}",
        json={"secret": created["secret"], "comment": "Levering tog for lang tid 😞 æøå"},
        headers={"Origin": ORIGIN},
    )
    assert r.status_code == 200
    assert r.get_json() == {
        "id": created["id"],
        "score": 6,
        "comment": "Levering tog for lang tid 😞 æøå",
        "next_step": None,
        "drivers": {},
    }
    assert rows(conn) == 1
    assert storage.get_response(conn, created["id"])["comment"] == "Levering tog for lang tid 😞 æøå"


def test_score_can_be_changed_with_the_secret(client, conn, token):
    created = post(client, {"token": token, "score": 6}).get_json()
    r = client.patch(f"/api/v1/responses/{created['id']}", json={"secret": created["secret"], "score": 8})
    assert r.status_code == 200
    assert storage.get_response(conn, created["id"])["score"] == 8


def test_same_ref_keeps_one_response_later_answer_wins(client, conn, token):
    first = post(client, {"token": token, "score": 3, "ref": "T-1", "comment": "slow"}).get_json()
    second = post(client, {"token": token, "score": 10, "ref": "T-1"}).get_json()
    assert first["id"] == second["id"]
    assert rows(conn) == 1
    row = storage.get_response(conn, first["id"])
    assert (row["score"], row["comment"]) == (10, None)


def test_answers_without_ref_from_two_visitors_are_separate(client, conn, token):
    post(client, {"token": token, "score": 3}, address="198.51.100.1")
    post(client, {"token": token, "score": 4}, address="198.51.100.2")
    assert rows(conn) == 2


def test_same_ref_on_another_touchpoint_is_another_response(client, conn, tokens, token, make_touchpoint):
    other = tokens.make_embed_token(make_touchpoint("invoice").id)
    post(client, {"token": token, "score": 3, "ref": "T-1"})
    post(client, {"token": other, "score": 3, "ref": "T-1"})
    assert rows(conn) == 2


def test_disallowed_origin_is_refused_and_cannot_read_the_answer(client, conn, token):
    r = post(client, {"token": token, "score": 9}, origin="https://evil.example")
    assert_error(r, 403, "origin_not_allowed")
    assert "Access-Control-Allow-Origin" not in r.headers
    assert rows(conn) == 0


def test_touchpoint_without_origins_accepts_any(client, conn, tokens, make_touchpoint):
    token = tokens.make_embed_token(make_touchpoint("open").id)
    r = post(client, {"token": token, "score": 9}, origin="https://anywhere.example")
    assert r.status_code == 201
    assert r.headers["Access-Control-Allow-Origin"] == "https://anywhere.example"


def test_patch_from_disallowed_origin_is_refused(client, conn, token):
    created = post(client, {"token": token, "score": 6}).get_json()
    r = client.patch(
        f"/api/v1/responses/{created['id']}",
        json={"secret": created["secret"], "comment": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert_error(r, 403, "origin_not_allowed")
    assert storage.get_response(conn, created["id"])["comment"] is None


def test_preflight_allows_patch_with_json(client):
    r = client.options(
        "/api/v1/responses/1",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PATCH" in r.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_patch_with_wrong_secret_changes_nothing(client, conn, token):
    a = post(client, {"token": token, "score": 6}, address="198.51.100.1").get_json()
    b = post(client, {"token": token, "score": 7}, address="198.51.100.2").get_json()
    r = client.patch(f"/api/v1/responses/{a['id']}", json={"secret": b["secret"], "comment": "hijack"})
    assert_error(r, 403, "invalid_secret")
    r = client.patch(f"/api/v1/responses/{a['id']}", json={"comment": "no secret"})
    assert_error(r, 403, "invalid_secret")
    assert storage.get_response(conn, a["id"])["comment"] is None


def test_patch_needs_something_to_change(client, token):
    a = post(client, {"token": token, "score": 6}).get_json()
    r = client.patch(f"/api/v1/responses/{a['id']}", json={"secret": a["secret"]})
    assert_error(r, 400, "nothing_to_update")


def test_patch_of_deleted_response_is_404(client, conn, token):
    a = post(client, {"token": token, "score": 6}).get_json()
    conn.execute("DELETE FROM responses")
    r = client.patch(f"/api/v1/responses/{a['id']}", json={"secret": a["secret"], "comment": "late"})
    assert_error(r, 404, "not_found")


def test_token_of_deleted_touchpoint_is_404(client, conn, token, touchpoint):
    conn.execute("DELETE FROM touchpoints WHERE id = ?", (touchpoint.id,))
    assert_error(post(client, {"token": token, "score": 5}), 404, "unknown_touchpoint")


def test_tampered_token_is_refused(client, conn, token):
    assert_error(post(client, {"token": token[:-3] + "abc", "score": 5}), 400, "invalid_token")
    assert rows(conn) == 0


def test_widget_config_in_the_touchpoints_language(client, tokens, make_touchpoint):
    tp = make_touchpoint("faktura", language="da", question="Vil du anbefale Fakturaservice?")
    r = client.get(f"/api/v1/widget?token={tokens.make_embed_token(tp.id)}&page_lang=de")
    assert r.status_code == 200
    body = r.get_json()
    assert body["language"] == "da"
    assert body["texts"]["question"] == "Vil du anbefale Fakturaservice?"
    assert body["texts"]["score_label"] == "{n} ud af 10"
    # Each radio's name comes made: the number, and the anchor words at the ends.
    labels = body["score_labels"]
    assert labels[0] == "0 ud af 10, Slet ikke sandsynligt" and labels[10] == "10 ud af 10, Meget sandsynligt"
    assert labels[1:10] == [f"{n} ud af 10" for n in range(1, 10)]
    followup = body["texts"]["followup"]
    assert body["followups"] == [followup["detractor"]] * 7 + [followup["passive"]] * 2 + [followup["promoter"]] * 2
    assert body["texts"]["followup"]["passive"].startswith("Hvad skulle vi")
    assert body["repeat_days"] == 90


@pytest.mark.parametrize(
    ("tp_language", "lang", "page_lang", "expected"),
    [
        (None, None, "nb-NO", "nb"),
        (None, None, "no", "nb"),
        (None, None, "pt", "en"),
        ("sv", None, "de", "sv"),
        ("sv", "de", "da", "de"),
        (None, "xx", "sv-FI", "sv"),
    ],
)
def test_widget_language_choice(client, tokens, make_touchpoint, tp_language, lang, page_lang, expected):
    tp = make_touchpoint("t", language=tp_language)
    query = {"token": tokens.make_embed_token(tp.id), "page_lang": page_lang}
    if lang:
        query["lang"] = lang
    assert client.get("/api/v1/widget", query_string=query).get_json()["language"] == expected


def test_widget_config_refuses_disallowed_origin(client, token):
    r = client.get(f"/api/v1/widget?token={token}", headers={"Origin": "https://evil.example"})
    assert_error(r, 403, "origin_not_allowed")


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok"}


def test_unknown_api_route_and_method_are_json(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    r = client.delete("/api/v1/responses")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]
