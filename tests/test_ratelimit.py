"""Rate limits: counted in SQLite per keyed hash, shared by every worker,
answered 429 with Retry-After, configurable and switched off by one setting."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from conftest import LiveServer, count_rows

from collector import create_app, ratelimit, settings, storage
from collector.tokens import Tokens

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock for the counters; move it with clock.now += seconds."""

    class Clock:
        now = 1_800_000_000

    monkeypatch.setattr(ratelimit, "now", lambda: Clock.now)
    monkeypatch.setattr(ratelimit, "_last_cleanup", 0)
    return Clock


def limited_app(db_path: str, **config):
    return create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key", **config})


def rows(conn) -> list[dict]:
    return [dict(row) for row in conn.execute("SELECT * FROM rate_limits")]


def answer(client, token: str, address: str = "203.0.113.7", **extra):
    return client.post(
        "/api/v1/responses",
        json={"token": token, "score": 9, **extra},
        headers={"User-Agent": BROWSER_UA},
        environ_base={"REMOTE_ADDR": address},
    )


# -- parsing the settings ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [
        ("30/minute", 30, 60),
        ("1000 per hour", 1000, 3600),
        ("5/10s", 5, 10),
        ("100/day", 100, 86400),
        ("2/minutes", 2, 60),
        (" 7 / 2m ", 7, 120),
    ],
)
def test_parse_limit(text, count, seconds):
    assert settings.rate_limit(text) == settings.Limit(count, seconds)


@pytest.mark.parametrize("text", ["", "30", "30/fortnight", "0/minute", "-1/minute", "1/0s", "many/minute"])
def test_parse_limit_refuses_nonsense(text):
    with pytest.raises(ValueError, match="rate limit"):
        settings.rate_limit(text)


def test_a_bad_limit_setting_stops_the_app_at_start(db_path):
    with pytest.raises(ValueError, match="ANBEFAL_RATELIMIT_WRITES"):
        limited_app(db_path, RATELIMIT_WRITES="thirty a minute")


@pytest.mark.parametrize("value", ["off", "OFF", "false", False, "0", "no"])
def test_off_values(db_path, value):
    assert not ratelimit.enabled(limited_app(db_path, RATELIMIT=value))


@pytest.mark.parametrize("value", ["on", True, "true", "yes"])
def test_on_values(db_path, value):
    assert ratelimit.enabled(limited_app(db_path, RATELIMIT=value))


# -- hit() --------------------------------------------------------------------


def test_hit_allows_the_limit_then_refuses_until_the_window_ends(app, conn, clock):
    with app.test_request_context():
        results = [ratelimit.hit("login:someone@example.com", 3, 60) for _ in range(5)]
        assert results == [(True, 60), (True, 60), (True, 60), (False, 60), (False, 60)]
        clock.now += 45
        assert ratelimit.hit("login:someone@example.com", 3, 60) == (False, 15)
        clock.now += 15  # the window has ended: a fresh one starts
        assert ratelimit.hit("login:someone@example.com", 3, 60) == (True, 60)
    [row] = rows(conn)
    assert row["count"] == 1


def test_keys_are_counted_apart(app, clock):
    with app.test_request_context():
        assert ratelimit.hit("a", 1, 60)[0]
        assert ratelimit.hit("b", 1, 60)[0]
        assert not ratelimit.hit("a", 1, 60)[0]


def test_only_keyed_hashes_are_stored(app, conn, clock):
    with app.test_request_context():
        ratelimit.hit("login:someone@example.com", 3, 60)
        ratelimit.hit("writes:198.51.100.23", 3, 60)
    stored = rows(conn)
    assert len(stored) == 2
    for row in stored:
        assert len(row["key"]) == 32 and int(row["key"], 16) >= 0
    dump = "\n".join(conn.iterdump())
    assert "someone@example.com" not in dump and "198.51.100.23" not in dump


def test_the_hash_depends_on_the_secret_key(tmp_path):
    hashes = []
    for key in ("one-key", "another-key"):
        app = create_app({"TESTING": True, "DB": str(tmp_path / f"{key}.db"), "SECRET_KEY": key})
        with app.test_request_context():
            hashes.append(ratelimit.hashed_key("writes:198.51.100.23"))
        storage.close_connections()
    assert hashes[0] != hashes[1]


def test_expired_counters_are_deleted(app, conn, clock):
    with app.test_request_context():
        for n in range(5):
            ratelimit.hit(f"short-{n}", 10, 60)
        ratelimit.hit("long", 10, 3600)
        assert count_rows(conn, "rate_limits") == 6
        clock.now += 120  # past the short windows and the cleanup interval
        ratelimit.hit("new", 10, 60)
    keys = {row["key"] for row in rows(conn)}
    with app.test_request_context():
        assert keys == {ratelimit.hashed_key("long"), ratelimit.hashed_key("new")}


def test_switched_off_nothing_is_counted(db_path, clock):
    app = limited_app(db_path, RATELIMIT="off")
    with app.test_request_context():
        assert all(ratelimit.hit("k", 1, 60) == (True, 0) for _ in range(5))
    conn = storage.connect(db_path)
    assert count_rows(conn, "rate_limits") == 0
    conn.close()
    storage.close_connections()


# -- the public API -----------------------------------------------------------


class Setup:
    """An app with its own settings, its client, a connection and a touchpoint's token."""

    def __init__(self, db_path: str, **config):
        self.app = limited_app(db_path, **config)
        self.client = self.app.test_client()
        self.conn = storage.connect(db_path)
        tp = storage.insert_touchpoint(self.conn, "checkout", origins=["https://shop.example"])
        self.token = Tokens(["test-key"]).make_embed_token(tp.id)


@pytest.fixture
def setup(db_path, clock):
    made: list[Setup] = []

    def make(**config) -> Setup:
        made.append(Setup(db_path, **config))
        return made[-1]

    yield make
    for each in made:
        each.conn.close()
    storage.close_connections()


def test_answers_beyond_the_limit_get_429_json_with_retry_after(setup, clock):
    s = setup(RATELIMIT_WRITES="3/minute")
    statuses = [answer(s.client, s.token, ref=f"order-{n}").status_code for n in range(3)]
    assert statuses == [201, 201, 201]
    refused = answer(s.client, s.token, ref="order-4")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert refused.mimetype == "application/json"
    assert refused.get_json() == {
        "error": {"code": "rate_limited", "message": "too many requests from this address; try again in 60 seconds"}
    }
    assert storage.count_responses(s.conn) == 3  # the refused answer is not stored
    clock.now += 20
    assert answer(s.client, s.token, ref="order-5").headers["Retry-After"] == "40"
    # Another address has its own count.
    assert answer(s.client, s.token, address="198.51.100.1", ref="order-6").status_code == 201
    clock.now += 40
    assert answer(s.client, s.token, ref="order-7").status_code == 201


def test_a_refused_browser_can_read_the_429(setup):
    """The widget must see the 429 (not a CORS failure) to stop retrying."""
    s = setup(RATELIMIT_WRITES="1/minute")
    headers = {"Origin": "https://shop.example", "User-Agent": BROWSER_UA}
    body = {"token": s.token, "score": 9}
    assert s.client.post("/api/v1/responses", json=body, headers=headers).status_code == 201
    refused = s.client.post("/api/v1/responses", json=body, headers=headers)
    assert refused.status_code == 429
    assert refused.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Access-Control-Allow-Credentials" not in refused.headers


def test_preflights_are_not_counted(setup):
    s = setup(RATELIMIT_WRITES="1/minute")
    preflight = {"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"}
    for _ in range(5):
        assert s.client.options("/api/v1/responses", headers=preflight).status_code == 200
    assert count_rows(s.conn, "rate_limits") == 0


def test_reads_and_writes_have_their_own_limits(setup):
    s = setup(RATELIMIT_WRITES="1/minute", RATELIMIT_READS="2/minute")
    reads = [s.client.get(f"/api/v1/widget?token={s.token}").status_code for _ in range(3)]
    assert reads == [200, 200, 429]
    assert answer(s.client, s.token, address="127.0.0.1").status_code == 201
    assert answer(s.client, s.token, address="127.0.0.1").status_code == 429
    # Every write route shares the writes' count: a PATCH is refused too.
    patch = s.client.patch("/api/v1/responses/1", json={"secret": "x", "comment": "hi"})
    assert patch.status_code == 429


def test_refused_even_for_invalid_requests(setup):
    """Bad requests count too: a flood of garbage is a flood."""
    s = setup(RATELIMIT_WRITES="2/minute")
    statuses = [s.client.post("/api/v1/responses", data="not json").status_code for _ in range(3)]
    assert all(400 <= status < 500 and status != 429 for status in statuses[:2])
    assert statuses[2] == 429


def test_switched_off_the_api_never_answers_429(setup):
    s = setup(RATELIMIT="off", RATELIMIT_WRITES="1/minute")
    assert all(answer(s.client, s.token, ref=f"r{n}").status_code == 201 for n in range(5))
    assert count_rows(s.conn, "rate_limits") == 0


def test_a_limited_view_answers_people_with_a_page(db_path, clock):
    app = limited_app(db_path, RATELIMIT_WRITES="1/minute")

    @app.post("/feedback-form")
    def feedback_form():
        refused = ratelimit.check("RATELIMIT_WRITES")
        return refused if refused is not None else "<p>Thank you</p>"

    client = app.test_client()
    assert client.post("/feedback-form").status_code == 200
    refused = client.post("/feedback-form")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert refused.mimetype == "text/html"
    assert "try again in 60 seconds" in refused.get_data(as_text=True)
    storage.close_connections()


# -- across worker processes ---------------------------------------------------


@pytest.mark.slow
def test_the_limit_holds_across_two_workers(tmp_path):
    """Per-process counts would let 2 x the limit through; SQLite's count does not."""
    db = str(tmp_path / "live.db")
    limit = 10
    server = LiveServer(
        db, tmp_path, args=["--workers", "2"], env={"ANBEFAL_RATELIMIT_WRITES": f"{limit}/hour"}
    ).start()
    try:
        conn = storage.connect(db)
        tp = storage.insert_touchpoint(conn, "checkout")
        token = Tokens(["live-test-key"]).make_embed_token(tp.id)
        host = urlsplit(server.url)
        statuses = []
        for n in range(3 * limit):
            # A new connection per request, so the kernel spreads them over both workers.
            http_conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
            body = json.dumps({"token": token, "score": 8, "ref": f"order-{n}"})
            http_conn.request(
                "POST",
                "/api/v1/responses",
                body=body,
                headers={"Content-Type": "application/json", "User-Agent": BROWSER_UA},
            )
            reply = http_conn.getresponse()
            statuses.append(reply.status)
            if reply.status == 429:
                assert int(reply.getheader("Retry-After")) > 0
                assert json.loads(reply.read())["error"]["code"] == "rate_limited"
            http_conn.close()
        assert statuses == [201] * limit + [429] * (2 * limit), server.read_log()
        assert storage.count_responses(conn) == limit
        conn.close()
    finally:
        server.stop()


# -- survey link pages ----------------------------------------------------------


def test_answers_from_link_pages_are_limited_and_the_pages_are_not(setup):
    import re

    s = setup(RATELIMIT_WRITES="2/minute", RATELIMIT_READS="1/minute")
    link = "/s/" + Tokens(["test-key"]).make_link_token(1, placeholder="{{ticket.id}}") + "?ref=T-1"
    pages = [s.client.get(link + "&score=9") for _ in range(3)]
    assert [page.status_code for page in pages] == [200, 200, 200]  # reading a page is not counted
    form_token = re.search(r'name="form_token" value="([^"]+)"', pages[0].get_data(as_text=True)).group(1)
    form = {"score": "9", "form_token": form_token}
    assert [s.client.post(link, data=form).status_code for _ in range(2)] == [200, 200]
    refused = s.client.post(link, data={**form, "score": "3", "comment": "Slow reply & no fix"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert refused.mimetype == "text/html"  # a person sees a page, not JSON
    page = refused.get_data(as_text=True)
    # The form again, with what the person sent, and when to send it again.
    assert "so this one was not saved. Please send it again in 60 seconds." in page
    assert "Slow reply &amp; no fix</textarea>" in page
    assert re.search(r'value="3"[^>]*checked', page)
    # The script's score-only save is told the same, without a page.
    quiet = s.client.post(link, data={**form, "save": "score"})
    assert (quiet.status_code, quiet.headers["Retry-After"], quiet.data) == (429, "60", b"")
    assert storage.count_responses(s.conn) == 1  # one answer per ref, the refused ones not stored
    assert s.conn.execute("SELECT score FROM responses WHERE touchpoint_id = 1 AND ref = 'T-1'").fetchone()[0] == 9


def test_a_refused_link_answer_is_shown_in_the_browsers_language(setup):
    import re

    s = setup(RATELIMIT_WRITES="1/minute")
    link = "/s/" + Tokens(["test-key"]).make_link_token(1, placeholder="{{ticket.id}}") + "?ref=T-2"
    danish = {"Accept-Language": "da-DK,da;q=0.9"}
    page = s.client.get(link, headers=danish).get_data(as_text=True)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    form = {"score": "8", "form_token": form_token}
    assert s.client.post(link, data=form, headers=danish).status_code == 200
    refused = s.client.post(link, data=form, headers=danish)
    assert refused.status_code == 429
    assert "Send det venligst igen om 60 sekunder." in refused.get_data(as_text=True)


def test_answers_stay_fsynced_after_a_counter_was_written(app, clock):
    """Counters skip the fsync; the connection's answers must not."""
    from collector.db import get_db

    with app.test_request_context():
        ratelimit.hit("k", 5, 60)
        assert get_db().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
