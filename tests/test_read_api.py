"""The read API: answers a page at a time, figures per touchpoint and the
touchpoints, with an API key that has the read scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from collector import api_keys, nps, storage
from collector.settings import Limit

BASE = "https://nps.example"


@pytest.fixture
def key(app):
    app.config["PUBLIC_URL"] = BASE
    with app.app_context():
        return api_keys.create("bi", ("read",))[1]


@pytest.fixture
def get(client, key):
    def fetch(path: str, **query):
        return client.get(path, query_string=query or None, headers={"Authorization": f"Bearer {key}"})

    return fetch


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT12:00:00Z")


@pytest.fixture
def answers(conn, make_touchpoint):
    """Checkout (target 40): 10, 9, 7, 3 this week and 2, 2 forty days ago; support: 9 by link."""
    checkout = make_touchpoint("checkout", target_nps=40, language="da")
    support = make_touchpoint("support")
    rows = [
        (checkout.id, 10, "Fast", None, "widget", days_ago(1)),
        (checkout.id, 9, None, "O-2", "widget", days_ago(2)),
        (checkout.id, 7, "Fine", None, "widget", days_ago(3)),
        (checkout.id, 3, "Late", "O-4", "widget", days_ago(4)),
        (checkout.id, 2, None, None, "widget", days_ago(40)),
        (checkout.id, 2, "Broken", None, "widget", days_ago(41)),
        (support.id, 9, None, "T-1", "link", days_ago(5)),
    ]
    for tp, score, comment, ref, channel, at in rows:
        conn.execute(
            "INSERT INTO responses (touchpoint_id, score, comment, ref, channel, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (tp, score, comment, ref, channel, at, at),
        )
    conn.commit()
    return checkout, support


def test_answers_come_newest_first_as_the_export_has_them(get, answers):
    body = get("/api/v1/responses").get_json()
    assert [a["score"] for a in body["responses"]] == [10, 9, 7, 3, 9, 2, 2]
    assert body["next"] is None
    first = body["responses"][0]
    assert first["touchpoint"] == "checkout" and first["category"] == "promoter" and first["comment"] == "Fast"
    assert set(first) >= {"id", "created_at", "updated_at", "ref", "channel", "locale", "page", "properties"}
    assert first["followup_status"] is None


def test_filters_like_the_admin(get, answers):
    def scores(**query):
        response = get("/api/v1/responses", **query)
        assert response.status_code == 200, response.get_json()
        return [a["score"] for a in response.get_json()["responses"]]

    assert scores(touchpoint="support") == [9]
    assert scores(channel="link") == [9]
    assert scores(category="detractor") == [3, 2, 2]
    assert scores(period="30d") == [10, 9, 7, 3, 9]
    since = days_ago(41)[:10]
    assert scores(since=since, until=days_ago(40)[:10]) == [2, 2]
    assert scores(touchpoint="checkout", category="passive") == [7]


def test_pages_follow_next_with_the_same_filters(get, answers):
    url = "/api/v1/responses?touchpoint=checkout&limit=2"
    seen = []
    while url:
        body = get(url).get_json()
        seen += [a["score"] for a in body["responses"]]
        assert len(body["responses"]) <= 2
        url = body["next"]
        if url:
            assert url.startswith(BASE + "/api/v1/responses?")
            assert parse_qs(urlsplit(url).query)["touchpoint"] == ["checkout"]
            url = url.removeprefix(BASE)
    assert seen == [10, 9, 7, 3, 2, 2]


def test_updated_since_brings_changed_and_followed_up_answers(get, conn, answers):
    checkout, _support = answers
    old = conn.execute("SELECT id FROM responses WHERE comment = 'Broken'").fetchone()[0]
    changed = conn.execute("SELECT id FROM responses WHERE ref = 'O-4'").fetchone()[0]
    start = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get("/api/v1/responses", updated_since=start).get_json()["responses"] == []
    storage.set_followup(conn, old, "contacted", "Called", "owner@example.com")
    storage.update_response(conn, changed, comment="Late, twice")
    for moment in (start, start.replace("Z", "+00:00"), start[:10]):
        body = get("/api/v1/responses", updated_since=moment).get_json()
        assert [a["id"] for a in body["responses"]] == [changed, old], moment
    found = get("/api/v1/responses", updated_since=start).get_json()["responses"]
    assert found[0]["comment"] == "Late, twice" and found[1]["followup_status"] == "contacted"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": "0"}, "invalid_limit"),
        ({"limit": "1001"}, "invalid_limit"),
        ({"limit": "ten"}, "invalid_limit"),
        ({"cursor": "nonsense"}, "invalid_cursor"),
        ({"since": "2026-02-30"}, "invalid_period"),
        ({"since": "2026-02-02", "until": "2026-02-01"}, "invalid_period"),
        ({"period": "week"}, "invalid_period"),
        ({"period": "custom", "since": "2026-01-01"}, "invalid_period"),
        ({"period": "30d", "since": "01/02/2026"}, "invalid_period"),
        ({"channel": ""}, "invalid_channel"),
        ({"channel": "mail"}, "invalid_channel"),
        ({"category": "fan"}, "invalid_category"),
        ({"updated_since": "yesterday"}, "invalid_updated_since"),
        ({"toucpoint": "checkout"}, "unknown_parameter"),
        ({"channel": ["widget", "link"]}, "invalid_channel"),
    ],
)
def test_bad_parameters_get_a_clear_400(get, answers, query, code):
    response = get("/api/v1/responses", **query)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_an_unknown_touchpoint_is_a_404_and_a_preset_leaves_the_days_aside(get, answers):
    response = get("/api/v1/responses", touchpoint="nope")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_touchpoint"
    both = get("/api/v1/responses", period="30d", since="2000-01-01", until="2000-01-02").get_json()
    assert len(both["responses"]) == 5


def test_stats_per_touchpoint_and_together_against_the_previous_period(get, answers):
    body = get("/api/v1/stats", period="30d").get_json()
    assert body["period"]["name"] == "30d" and body["previous_period"] is not None
    checkout, support = body["touchpoints"]
    assert (checkout["name"], checkout["n"], checkout["promoters"], checkout["passives"]) == ("checkout", 4, 2, 1)
    assert checkout["nps"] == 25 and checkout["pct_promoters"] == 50 and checkout["pct_detractors"] == 25
    assert checkout["target"] == 40 and checkout["gap"] == -15
    assert checkout["margin"] == round(nps.Summary(2, 1, 1).margin, 1)
    assert checkout["previous"]["n"] == 2 and checkout["previous"]["nps"] == -100
    assert checkout["change"] == 125 and checkout["change_margin"] > 0
    assert support["nps"] == 100 and support["target"] is None and support["gap"] is None
    together = body["all"]
    assert (together["n"], together["nps"], together["previous"]["n"], together["change"]) == (5, 40, 2, 140)


def test_stats_default_to_the_admin_s_period_and_take_the_same_filters(get, answers):
    body = get("/api/v1/stats").get_json()
    assert body["period"]["name"] == "90d" and body["all"]["n"] == 7
    body = get("/api/v1/stats", touchpoint="support", channel="link", period="all").get_json()
    assert [tp["name"] for tp in body["touchpoints"]] == ["support"] and body["all"]["n"] == 1
    assert body["previous_period"] is None and body["all"]["previous"] is None and body["all"]["change"] is None
    empty = get("/api/v1/stats", since="2000-01-01", until="2000-01-31").get_json()
    assert empty["all"]["n"] == 0 and empty["all"]["nps"] is None and empty["all"]["margin"] is None
    assert empty["previous_period"] == {"since": "1999-12-01", "until": "1999-12-31"}
    assert get("/api/v1/stats", limit="5").get_json()["error"]["code"] == "unknown_parameter"


def test_touchpoints_are_listed_with_language_and_target(get, answers):
    body = get("/api/v1/touchpoints").get_json()
    assert [(tp["name"], tp["language"], tp["target"]) for tp in body["touchpoints"]] == [
        ("checkout", "da", 40),
        ("support", None, None),
    ]


@pytest.mark.parametrize("path", ["/api/v1/responses", "/api/v1/stats", "/api/v1/touchpoints"])
def test_only_a_key_with_the_read_scope_may_read(app, client, path):
    assert client.get(path).status_code == 401
    with app.app_context():
        links_only = api_keys.create("helpdesk")[1]
        both = api_keys.create("both", ("links", "read"))[1]
    refused = client.get(path, headers={"Authorization": f"Bearer {links_only}"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "insufficient_scope"
    assert 'scope="read"' in refused.headers["WWW-Authenticate"]
    assert client.get(path, headers={"Authorization": f"Bearer {both}"}).status_code == 200


def test_private_and_not_for_browsers(client, key, answers):
    for path in ("/api/v1/responses", "/api/v1/stats", "/api/v1/touchpoints"):
        headers = {"Authorization": f"Bearer {key}", "Origin": "https://shop.example"}
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "Access-Control-Allow-Origin" not in response.headers


def test_a_rate_limit_of_its_own(app, get, answers):
    app.config["RATELIMIT_READ_API"] = Limit(2, 60)
    assert [get("/api/v1/touchpoints").status_code for _ in range(3)] == [200, 200, 429]
