"""Ballot stuffing: one visitor's answers without a ref to one touchpoint
within the window count once; the visitor is a daily keyed hash, never an address."""

from __future__ import annotations

import pytest
from conftest import visitor_salt_days

from collector import create_app, storage, timestamps, visitors
from collector.tokens import Tokens

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
ADDRESS = "203.0.113.77"


@pytest.fixture
def token(make_touchpoint, tokens):
    return tokens.make_embed_token(make_touchpoint("checkout").id)


@pytest.fixture
def day(monkeypatch):
    """A frozen UTC day for the salts; set it with day.today = "YYYY-MM-DD"."""

    class Day:
        today = "2026-03-01"

    monkeypatch.setattr(visitors, "today", lambda: Day.today)
    visitors._salts.clear()
    return Day


def answer(client, token, score, *, address=ADDRESS, user_agent=CHROME, **extra):
    r = client.post(
        "/api/v1/responses",
        json={"token": token, "score": score, **extra},
        headers={"User-Agent": user_agent},
        environ_base={"REMOTE_ADDR": address},
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def all_rows(conn):
    return [dict(row) for row in conn.execute("SELECT * FROM responses ORDER BY id")]


def test_a_burst_from_one_visitor_counts_once_and_the_last_answer_wins(client, conn, token):
    first = answer(client, token, 0, comment="terrible", properties={"plan": "free"})
    again = answer(client, token, 2)
    last = answer(client, token, 10, locale="da-DK")
    assert first["id"] == again["id"] == last["id"]
    [row] = all_rows(conn)
    assert (row["score"], row["comment"], row["locale"], row["properties"]) == (10, None, "da-DK", "{}")
    # The secret of the last answer lets it add its comment to that same row.
    r = client.patch(f"/api/v1/responses/{last['id']}", json={"secret": last["secret"], "comment": "great"})
    assert r.status_code == 200
    assert storage.get_response(conn, last["id"])["comment"] == "great"


def test_other_visitors_and_touchpoints_are_counted_apart(client, conn, token, tokens, make_touchpoint):
    other_touchpoint = tokens.make_embed_token(make_touchpoint("invoice").id)
    ids = {
        answer(client, token, 9)["id"],
        answer(client, token, 9, user_agent=FIREFOX)["id"],
        answer(client, token, 9, address="198.51.100.4")["id"],
        answer(client, other_touchpoint, 9)["id"],
    }
    assert len(ids) == 4
    assert len(all_rows(conn)) == 4


def test_answers_with_a_ref_are_one_per_ref_not_per_visitor(client, conn, token):
    answer(client, token, 9, ref="order-1")
    answer(client, token, 8, ref="order-2")
    answer(client, token, 7)
    assert [(row["ref"], row["score"]) for row in all_rows(conn)] == [("order-1", 9), ("order-2", 8), (None, 7)]
    # Only answers without a ref need the visitor.
    assert [row["visitor"] is None for row in all_rows(conn)] == [True, True, False]


def test_after_the_window_a_new_answer_is_a_new_row(client, conn, token):
    first = answer(client, token, 3)
    # Age it by ten minutes and a second (the default window is 600 s).
    conn.execute(
        "UPDATE responses SET created_at = ?, updated_at = ? WHERE id = ?",
        (timestamps.utc_seconds_ago(601), timestamps.utc_seconds_ago(601), first["id"]),
    )
    second = answer(client, token, 9)
    assert second["id"] != first["id"]
    assert [row["score"] for row in all_rows(conn)] == [3, 9]


def test_a_window_of_zero_stores_every_answer(db_path):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "DEDUP_WINDOW": 0})
    conn = storage.connect(db_path)
    token = Tokens(["k"]).make_embed_token(storage.insert_touchpoint(conn, "checkout").id)
    client = app.test_client()
    answer(client, token, 3)
    answer(client, token, 4)
    assert [row["score"] for row in all_rows(conn)] == [3, 4]
    conn.close()
    storage.close_connections()


def test_no_address_is_stored_anywhere(client, conn, token):
    answer(client, token, 9)
    answer(client, token, 6, ref="order-9", comment="slow")
    [with_visitor] = [row["visitor"] for row in all_rows(conn) if row["visitor"]]
    assert len(with_visitor) == 32 and int(with_visitor, 16) >= 0
    dump = "\n".join(conn.iterdump())
    assert ADDRESS not in dump
    assert ADDRESS.replace(".", "") not in dump


def test_the_visitor_changes_every_day_and_old_salts_are_deleted(app, conn, day):
    with app.test_request_context():
        monday = visitors.visitor_hash(ADDRESS, CHROME)
        assert visitors.visitor_hash(ADDRESS, CHROME) == monday
        day.today = "2026-03-02"
        tuesday = visitors.visitor_hash(ADDRESS, CHROME)
        assert tuesday != monday
        assert visitor_salt_days(conn) == ["2026-03-01", "2026-03-02"]
        day.today = "2026-03-03"
        visitors.visitor_hash(ADDRESS, CHROME)
    # Two days on, the first day's salt is gone: its hashes can no longer be recomputed.
    assert visitor_salt_days(conn) == ["2026-03-02", "2026-03-03"]


def test_every_worker_uses_the_stored_salt(app, day):
    with app.test_request_context():
        first = visitors.visitor_hash(ADDRESS, CHROME)
        visitors._salts.clear()  # as a worker that has not read it yet
        assert visitors.visitor_hash(ADDRESS, CHROME) == first


def test_the_hash_also_needs_the_secret_key(tmp_path, day):
    hashes = []
    for key in ("one-key", "other-key"):
        db = str(tmp_path / "shared.db")
        app = create_app({"TESTING": True, "DB": db, "SECRET_KEY": key})
        with app.test_request_context():
            hashes.append(visitors.visitor_hash(ADDRESS, CHROME))
        storage.close_connections()
    assert hashes[0] != hashes[1]  # same database, same salt, another key


@pytest.mark.parametrize("value", [-1, "ten minutes", "1.5", True])
def test_a_bad_window_stops_the_app_instead_of_failing_answers(db_path, value):
    with pytest.raises(ValueError, match="ANBEFAL_DEDUP_WINDOW must be a whole number of seconds"):
        create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "DEDUP_WINDOW": value})


def test_a_window_given_as_digits_is_a_number(db_path):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "DEDUP_WINDOW": "300"})
    assert app.config["DEDUP_WINDOW"] == 300
    storage.close_connections()
