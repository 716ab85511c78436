"""The outbox: which endpoints get which events, queued in the answer's own commit."""

from __future__ import annotations

import dataclasses
import json

from collector import storage
from collector.validation import MAX_COMMENT, MAX_PAGE, MAX_PROPERTIES, MAX_PROPERTY_KEY, MAX_PROPERTY_VALUE, MAX_REF
from collector.webhooks import sender, signing


def add(conn, **options) -> int:
    return storage.insert_webhook_endpoint(conn, "https://hooks.example.com/", signing.new_secret(), **options)


def queued(conn) -> list[tuple[int, str]]:
    return [(d.endpoint_id, d.type) for d in reversed(storage.recent_deliveries(conn))]


def test_nothing_is_queued_without_endpoints(conn, make_touchpoint):
    response_id = storage.insert_response(conn, make_touchpoint().id, 3)
    storage.update_response(conn, response_id, comment="Slow")
    storage.set_followup(conn, response_id, "resolved", None, "ann@example.com")
    assert queued(conn) == []


def test_endpoints_get_the_events_touchpoints_and_categories_they_want(conn, make_touchpoint):
    checkout, support = make_touchpoint("checkout"), make_touchpoint("support")
    every = add(conn)
    detractors = add(conn, categories=["detractor"])
    support_only = add(conn, touchpoints=[support.id])
    followups = add(conn, events=["followup.updated"])

    low = storage.insert_response(conn, checkout.id, 2)
    storage.insert_response(conn, support.id, 10)
    storage.set_followup(conn, low, "contacted", None, "ann@example.com")
    assert queued(conn) == [
        (every, "response.created"),
        (detractors, "response.created"),
        (every, "response.created"),
        (support_only, "response.created"),
        (every, "followup.updated"),
        (detractors, "followup.updated"),
        (followups, "followup.updated"),
    ]


def test_a_ref_answered_again_is_an_update(conn, make_touchpoint):
    add(conn)
    touchpoint = make_touchpoint()
    storage.insert_response(conn, touchpoint.id, 5, ref="order-1")
    storage.insert_response(conn, touchpoint.id, 6, ref="order-1")
    storage.upsert_link_response(conn, touchpoint.id, "order-2", 7)
    storage.upsert_link_response(conn, touchpoint.id, "order-2", 7, comment="Fine")
    types = [event for _, event in queued(conn)]
    assert types == ["response.created", "response.updated", "response.created", "response.updated"]


def test_a_visitors_second_answer_is_an_update(conn, make_touchpoint):
    add(conn)
    touchpoint = make_touchpoint()
    for score in (4, 9):
        storage.store_visitor_response(conn, touchpoint.id, score, visitor="v1", since="2000-01-01T00:00:00Z")
    assert [event for _, event in queued(conn)] == ["response.created", "response.updated"]
    assert json.loads(storage.recent_deliveries(conn)[0].body)["data"]["score"] == 9


def test_the_event_rides_the_answers_commit(conn, make_touchpoint):
    add(conn)
    touchpoint = make_touchpoint()
    try:
        with storage.transaction(conn):
            storage.insert_response(conn, touchpoint.id, 8)
            assert len(queued(conn)) == 1
            raise RuntimeError("the answer's commit fails")
    except RuntimeError:
        pass
    assert storage.count_responses(conn) == 0 and queued(conn) == []


def test_a_paused_endpoint_keeps_its_events_until_it_resumes(app, conn, make_touchpoint):
    endpoint = add(conn)
    storage.pause_webhook_endpoint(conn, endpoint, True)
    storage.insert_response(conn, make_touchpoint().id, 9)
    assert len(queued(conn)) == 1
    assert storage.due_deliveries(conn, 2**40, 0) == []
    storage.pause_webhook_endpoint(conn, endpoint, False)
    assert len(storage.due_deliveries(conn, 2**40, 0)) == 1


def test_forgetting_an_answer_forgets_its_events(conn, make_touchpoint):
    add(conn)
    storage.insert_response(conn, make_touchpoint().id, 1, ref="cust-9", comment="Call me on 5555")
    storage.forget_ref(conn, "cust-9")
    assert queued(conn) == []


def test_removing_an_endpoint_removes_its_deliveries(conn, make_touchpoint):
    endpoint = add(conn)
    storage.insert_response(conn, make_touchpoint().id, 1)
    assert storage.delete_webhook_endpoint(conn, endpoint)
    assert queued(conn) == [] and not storage.delete_webhook_endpoint(conn, endpoint)


def test_the_largest_answer_makes_a_body_under_20_kb(conn, make_touchpoint):
    endpoint_id = add(conn)
    touchpoint = make_touchpoint("t" * 100)
    properties = {f"{i:02d}".ljust(MAX_PROPERTY_KEY, "k"): "\u00e6" * MAX_PROPERTY_VALUE for i in range(MAX_PROPERTIES)}
    response_id = storage.insert_response(
        conn,
        touchpoint.id,
        0,
        comment='"\\' * (MAX_COMMENT // 2),  # every character escaped in JSON
        ref="r" * MAX_REF,
        page="p" * MAX_PAGE,
        locale="en-GB",
        properties=properties,
    )
    storage.set_followup(conn, response_id, "contacted", '"' * 500, "a" * 200 + "@example.com")
    endpoint = storage.get_webhook_endpoint(conn, endpoint_id)
    for delivery in storage.recent_deliveries(conn):
        for format in ("standard", "slack"):
            body = sender.render(delivery, dataclasses.replace(endpoint, format=format), "https://nps.example.com")
            assert len(body) < 20 * 1024, (delivery.type, format, len(body))


def test_the_hourly_clean_up_forgets_deliveries_done_30_days_ago(conn, make_touchpoint):
    from collector import privacy

    add(conn)
    touchpoint = make_touchpoint()
    for score in (9, 8, 7):
        storage.insert_response(conn, touchpoint.id, score)
    old, done, waiting = storage.recent_deliveries(conn)[::-1]
    for delivery in (old, done):
        storage.record_attempt(conn, delivery.id, delivered=True, status=200, error=None, next_try_at=None)
    conn.execute(
        "UPDATE webhook_deliveries SET created_at = '2000-01-01T00:00:00Z' WHERE id IN (?, ?)", (old.id, waiting.id)
    )
    privacy.clean_up(conn, None)
    assert [d.id for d in storage.recent_deliveries(conn)] == [waiting.id, done.id]


def test_the_senders_commits_skip_the_fsync_and_the_others_keep_it(conn, db_path):
    sending = storage.connect(db_path)
    try:
        storage.skip_fsync_of_outcomes(sending)
        assert sending.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL, for the answers
    finally:
        sending.close()
