"""How far the widget reaches: the shown/dismissed counters, signed answers,
the quiet days across touchpoints and the next step, through the public API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from collector import customers, storage

ORIGIN = "https://shop.example"
TODAY = datetime.now(UTC).date()
BOT = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}


@pytest.fixture
def touchpoint(make_touchpoint):
    return make_touchpoint(
        "checkout",
        origins=[ORIGIN],
        next_promoter_text="Review us",
        next_promoter_url="https://review.example/new?order={ref}&score={score}",
        next_detractor_text="Talk to us",
        next_detractor_url="https://shop.example/contact",
    )


@pytest.fixture
def token(tokens, touchpoint):
    return tokens.make_embed_token(touchpoint.id)


@pytest.fixture
def key(app, conn):
    return customers.signing_key(conn)


def send(client, path, body, headers=None):
    return client.post(
        path,
        data=json.dumps(body),
        content_type="text/plain;charset=UTF-8",
        headers={"Origin": ORIGIN, **(headers or {})},
    )


def counters(conn, touchpoint):
    return storage.reach_by_touchpoint(conn).get(touchpoint.id, storage.Reach())


def test_shown_and_dismissed_are_counted_per_touchpoint_and_day(client, conn, token, touchpoint):
    for event in ("shown", "shown", "dismissed"):
        assert send(client, "/api/v1/events", {"token": token, "event": event}).status_code == 204
    send(client, "/api/v1/responses", {"token": token, "score": 9})
    reach = counters(conn, touchpoint)
    assert (reach.shown, reach.dismissed, reach.answered, reach.clicked) == (2, 1, 1, 0)
    assert reach.response_rate == 0.5 and reach.rate_text == "50%"
    assert conn.execute("SELECT COUNT(*) FROM reach_days").fetchone()[0] == 1  # a counter, not a row per visit


def test_answers_from_before_the_first_counted_showing_are_not_in_the_rate(conn, touchpoint):
    # A widget that did not count showings yet answered 70 times over the last weeks.
    for days_ago in range(10, 80):
        storage.insert_response(conn, touchpoint.id, 8, created_at=f"{TODAY - timedelta(days=days_ago)}T12:00:00Z")
    assert counters(conn, touchpoint) == storage.Reach()
    # Then it counts: 4 showings over two days, and an answer on each.
    first, second = TODAY - timedelta(days=2), TODAY - timedelta(days=1)
    conn.execute(
        "INSERT INTO reach_days (day, touchpoint_id, shown) VALUES (?, ?, 3), (?, ?, 1)",
        (first.isoformat(), touchpoint.id, second.isoformat(), touchpoint.id),
    )
    conn.commit()
    for day in (first, second):
        storage.insert_response(conn, touchpoint.id, 9, created_at=f"{day}T12:00:00Z")
    reach = counters(conn, touchpoint)
    assert (reach.shown, reach.answered, reach.rate_text) == (4, 2, "50%")
    # Within a period: the days asked for, from the first showing on.
    later = storage.reach_by_touchpoint(conn, since=second.isoformat())[touchpoint.id]
    assert (later.shown, later.answered) == (1, 1)
    earlier = storage.reach_by_touchpoint(conn, until=(first - timedelta(days=1)).isoformat())
    assert touchpoint.id not in earlier


def test_events_from_bots_are_answered_but_not_counted(client, conn, token, touchpoint):
    assert send(client, "/api/v1/events", {"token": token, "event": "shown"}, BOT).status_code == 204
    assert counters(conn, touchpoint).shown == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"event": "shown"}, 400, "invalid_token"),
        ({"event": "clicked"}, 400, "invalid_event"),
        ({"event": "shown", "visitor": "x"}, 400, "unknown_field"),
    ],
)
def test_bad_events_are_refused(client, conn, token, touchpoint, body, status, code):
    if "token" not in body and code != "invalid_token":
        body = {"token": token, **body}
    r = send(client, "/api/v1/events", body)
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert counters(conn, touchpoint).shown == 0


def test_events_from_a_refused_origin_are_not_counted(client, conn, token, touchpoint):
    r = send(client, "/api/v1/events", {"token": token, "event": "shown"}, {"Origin": "https://evil.example"})
    assert r.status_code == 403 and counters(conn, touchpoint).shown == 0


def test_a_signed_answer_is_stored_as_verified(client, conn, token, key):
    sig = customers.sign(key, customers.REF, "A-1")
    created = send(client, "/api/v1/responses", {"token": token, "score": 9, "ref": "A-1", "ref_sig": sig})
    assert created.status_code == 201
    assert storage.get_response(conn, created.get_json()["id"])["verified"] == 1
    other = send(client, "/api/v1/responses", {"token": token, "score": 9, "ref": "A-2", "ref_sig": sig})
    assert storage.get_response(conn, other.get_json()["id"])["verified"] == 0


def test_a_touchpoint_that_requires_it_refuses_a_missing_or_wrong_signature(client, conn, token, touchpoint, key):
    storage.update_touchpoint(conn, touchpoint.id, require_verified=True)
    for extra in ({}, {"ref_sig": "0" * 64}, {"ref_sig": customers.sign(key, customers.CUSTOMER, "A-1")}):
        r = send(client, "/api/v1/responses", {"token": token, "score": 9, "ref": "A-1", **extra})
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "invalid_signature"
    assert storage.count_responses(conn) == 0
    good = {"ref_sig": customers.sign(key, customers.REF, "A-1")}
    assert send(client, "/api/v1/responses", {"token": token, "score": 9, "ref": "A-1", **good}).status_code == 201


def test_a_verified_customer_who_answered_is_not_asked_at_another_touchpoint(
    client, conn, token, tokens, make_touchpoint, key
):
    other = tokens.make_embed_token(make_touchpoint("invoice", origins=[ORIGIN]).id)
    signed = {"customer": "C-7", "customer_sig": customers.sign(key, customers.CUSTOMER, "C-7")}

    def asks(embed_token, identity):
        query = {"token": embed_token, **identity}
        return client.get("/api/v1/widget", query_string=query, headers={"Origin": ORIGIN}).get_json()["ask"]

    assert asks(other, signed) is True
    send(client, "/api/v1/responses", {"token": token, "score": 9, **signed})
    assert asks(other, signed) is False
    assert asks(other, {"customer": "C-7", "customer_sig": "0" * 64}) is True  # unsigned: no one to recognise
    assert asks(other, {}) is True
    assert "C-7" not in json.dumps([list(row) for row in conn.execute("SELECT * FROM customer_quiet")])


def test_a_dismissal_starts_the_quiet_days_too_and_0_switches_them_off(app, client, token, key):
    signed = {"customer": "C-8", "customer_sig": customers.sign(key, customers.CUSTOMER, "C-8")}
    send(client, "/api/v1/events", {"token": token, "event": "dismissed", **signed})
    query = {"token": token, **signed}
    assert client.get("/api/v1/widget", query_string=query).get_json()["ask"] is False
    app.config["CUSTOMER_QUIET_DAYS"] = 0
    assert client.get("/api/v1/widget", query_string=query).get_json()["ask"] is True


def test_the_answer_offers_the_categorys_next_step_and_its_click_is_counted(client, conn, token, touchpoint):
    created = send(client, "/api/v1/responses", {"token": token, "score": 10, "ref": "A 1&x"}).get_json()
    step = created["next_step"]
    assert step["text"] == "Review us" and step["url"].startswith("/api/v1/next?")
    r = client.get(step["url"])
    assert r.status_code == 303
    assert r.headers["Location"] == "https://review.example/new?order=A%201%26x&score=10"
    assert counters(conn, touchpoint).clicked == 1
    # Passives get none here; a detractor's address asks for nothing, so the link carries no ref.
    assert send(client, "/api/v1/responses", {"token": token, "score": 7}).get_json()["next_step"] is None
    detractor = send(client, "/api/v1/responses", {"token": token, "score": 2, "ref": "A-2"}).get_json()
    assert "ref" not in parse_qs(urlsplit(detractor["next_step"]["url"]).query)
    assert client.get(detractor["next_step"]["url"]).headers["Location"] == "https://shop.example/contact"


def test_a_changed_score_changes_the_next_step(client, token):
    created = send(client, "/api/v1/responses", {"token": token, "score": 3}).get_json()
    r = client.patch(f"/api/v1/responses/{created['id']}", json={"secret": created["secret"], "score": 9})
    assert r.get_json()["next_step"]["text"] == "Review us"


@pytest.mark.parametrize("query", ["score=11", "score=x", "score=7", ""])
def test_next_refuses_what_has_no_next_step(client, conn, token, touchpoint, query):
    r = client.get(f"/api/v1/next?token={token}&{query}")
    assert r.status_code in (400, 404) and r.is_json
    assert counters(conn, touchpoint).clicked == 0


def test_the_survey_link_page_shows_the_next_step(client, conn, tokens, touchpoint):
    link = tokens.make_link_token(touchpoint.id, ref="T-9")
    page = client.get(f"/s/{link}").get_data(as_text=True)
    form_token = page.split('name="form_token" value="')[1].split('"')[0]
    r = client.post(f"/s/{link}", data={"score": "9", "form_token": form_token})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Review us" in html and "/api/v1/next?" in html
