"""The sender: signed POSTs to a real receiver, retries with the same
webhook-id, 410, redirects, Retry-After, private addresses, the lease."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from collector import storage
from collector.webhooks import sender, signing


@pytest.fixture
def config(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    app.config["PUBLIC_URL"] = "https://nps.example.com"
    return app.config


def add_endpoint(conn, url: str, **options) -> storage.WebhookEndpoint:
    endpoint_id = storage.insert_webhook_endpoint(conn, url, signing.new_secret(), **options)
    endpoint = storage.get_webhook_endpoint(conn, endpoint_id)
    assert endpoint is not None
    return endpoint


def test_every_request_verifies_with_the_standardwebhooks_package(conn, config, receiver, make_touchpoint):
    endpoint = add_endpoint(conn, receiver.url)
    receiver.secret = endpoint.secret
    touchpoint = make_touchpoint("checkout")
    response_id = storage.insert_response(
        conn, touchpoint.id, 3, comment="Late & <broken>", ref="order-1", properties={"plan": "pro"}
    )
    storage.update_response(conn, response_id, comment="Very late")
    storage.set_followup(conn, response_id, "contacted", "Called", "ann@example.com")

    assert sender.send_due(conn, config) == 3
    events = receiver.verified()
    assert [event["type"] for event in events] == ["response.created", "response.updated", "followup.updated"]
    created = events[0]["data"]
    assert created == {
        "id": response_id,
        "touchpoint": "checkout",
        "score": 3,
        "category": "detractor",
        "comment": "Late & <broken>",
        "ref": "order-1",
        "channel": "widget",
        "locale": None,
        "page": None,
        "properties": {"plan": "pro"},
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
        "followup": {"status": None, "note": None, "by": None, "at": None},
        "followup_url": f"https://nps.example.com/admin/responses/{response_id}",
    }
    assert events[2]["data"]["followup"]["status"] == "contacted"
    ids = [request["headers"]["webhook-id"] for request in receiver.received]
    assert len(set(ids)) == 3 and all(i.startswith("msg_") for i in ids)
    assert storage.count_pending_deliveries(conn) == 0
    assert {d.status for d in storage.recent_deliveries(conn)} == {"delivered"}


def test_a_receiver_that_fails_first_gets_the_same_webhook_id_again(conn, config, receiver, make_touchpoint):
    endpoint = add_endpoint(conn, receiver.url)
    receiver.secret = endpoint.secret
    receiver.answers = [(500, {}), (503, {"Retry-After": "0"})]
    storage.insert_response(conn, make_touchpoint().id, 9)

    assert sender.send_due(conn, config) == 1  # the retry waits about 5 s
    (delivery,) = storage.recent_deliveries(conn)
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_status == 500
    assert 3 <= delivery.next_try_at - time.time() <= 6  # 5 s, give or take the jitter
    storage.resend_delivery(conn, delivery.id, int(time.time()))  # as if the 5 s had passed
    sender.send_due(conn, config)  # 503, Retry-After: 0: at once
    sender.send_due(conn, config)
    assert len(receiver.verified()) == 3
    assert len({request["headers"]["webhook-id"] for request in receiver.received}) == 1
    assert storage.recent_deliveries(conn)[0].status == "delivered"


def test_retry_after_is_honoured_and_the_schedule_ends_in_failed(conn, config, receiver, make_touchpoint):
    add_endpoint(conn, receiver.url)
    receiver.answers = [(429, {"Retry-After": "120"})]
    storage.insert_response(conn, make_touchpoint().id, 9)
    sender.send_due(conn, config)
    (delivery,) = storage.recent_deliveries(conn)
    assert 118 <= delivery.next_try_at - time.time() <= 121
    assert delivery.last_error == "the receiver answered 429 Too Many Requests"

    conn.execute("UPDATE webhook_deliveries SET attempts = ?, next_try_at = 0", (sender.MAX_ATTEMPTS - 1,))
    receiver.answers = [(500, {})]
    sender.send_due(conn, config)
    (delivery,) = storage.recent_deliveries(conn)
    assert delivery.status == "failed" and delivery.attempts == sender.MAX_ATTEMPTS  # and still shown


def test_the_schedule_is_the_specifications_with_jitter():
    failed = sender.posting.Answer(500, "no")
    delays = [sender.next_delay(attempts, failed) for attempts in range(1, sender.MAX_ATTEMPTS + 1)]
    wanted = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400, None]
    for delay, expected in zip(delays, wanted, strict=True):
        assert delay == expected if expected is None else 0.9 * expected <= delay <= 1.1 * expected


def test_410_disables_the_endpoint(conn, config, receiver, make_touchpoint):
    endpoint = add_endpoint(conn, receiver.url)
    receiver.answers = [(410, {})]
    touchpoint = make_touchpoint()
    storage.insert_response(conn, touchpoint.id, 9)
    sender.send_due(conn, config)
    found = storage.get_webhook_endpoint(conn, endpoint.id)
    assert found is not None and found.disabled_reason == "the receiver answered 410 Gone"
    assert storage.recent_deliveries(conn)[0].status == "failed"
    storage.insert_response(conn, touchpoint.id, 8)  # nothing more is queued for it
    assert len(storage.recent_deliveries(conn)) == 1
    storage.pause_webhook_endpoint(conn, endpoint.id, False)  # resuming enables it again
    assert storage.get_webhook_endpoint(conn, endpoint.id).active


def test_a_redirect_is_a_failure_and_is_not_followed(conn, config, receiver, make_touchpoint):
    add_endpoint(conn, receiver.url)
    receiver.answers = [(301, {"Location": receiver.url + "/elsewhere"})]
    storage.insert_response(conn, make_touchpoint().id, 9)
    sender.send_due(conn, config)
    assert len(receiver.received) == 1  # not followed
    (delivery,) = storage.recent_deliveries(conn)
    assert delivery.status == "pending" and delivery.last_status == 301
    assert "redirect" in delivery.last_error and "/elsewhere" in delivery.last_error


def test_a_private_address_is_refused_at_send_time_without_the_setting(conn, app, receiver, make_touchpoint):
    add_endpoint(conn, receiver.url)  # added while allowed, say
    storage.insert_response(conn, make_touchpoint().id, 9)
    sender.send_due(conn, app.config)  # ANBEFAL_WEBHOOK_ALLOW_PRIVATE unset
    assert receiver.received == []
    (delivery,) = storage.recent_deliveries(conn)
    assert delivery.last_status is None and "127.0.0.1, a private, loopback" in delivery.last_error


def test_a_test_event_is_sent_at_once_and_says_what_came_back(conn, config, receiver):
    endpoint = add_endpoint(conn, receiver.url)
    receiver.secret = endpoint.secret
    answer = sender.send_test(conn, endpoint.id, config)
    assert answer.delivered and answer.status == 200 and answer.text == "ok"
    assert receiver.verified()[0]["type"] == "webhook.test"
    receiver.answers = [(404, {})]
    answer = sender.send_test(conn, endpoint.id, config)
    assert answer.error == "the receiver answered 404 Not Found"
    assert storage.recent_deliveries(conn)[0].status == "failed"  # a test is not retried


def test_slack_gets_one_alert_per_answer_with_the_comment_that_followed(conn, config, receiver, make_touchpoint):
    add_endpoint(conn, receiver.url, format="slack")
    touchpoint = make_touchpoint("Support ticket closed")
    response_id = storage.insert_response(conn, touchpoint.id, 4, ref="T-1", properties={"agent": "Kim"})
    assert sender.send_due(conn, config) == 0  # the alert waits for the comment (ANBEFAL_ALERT_DELAY)
    storage.update_response(conn, response_id, comment="Nobody *called* <back>")
    assert sender.send_due(conn, config) == 1  # sent as soon as the comment came
    assert sender.send_due(conn, config) == 0  # and only once

    (request,) = receiver.received
    assert "webhook-signature" in request["headers"]
    message = json.loads(request["body"])
    assert message["text"] == "4 out of 10 (Detractor) at Support ticket closed: Nobody *called* <back>"
    headline, comment, context, actions = message["blocks"]
    assert headline["text"]["text"] == ":red_circle: *4* out of 10 (Detractor) at *Support ticket closed*"
    assert comment["text"]["text"] == "> Nobody *called* &lt;back&gt;"
    assert context["elements"][0]["text"] == "ref: `T-1` · channel: widget · agent: Kim"
    button = actions["elements"][0]
    assert button["text"]["text"] == "Follow up"
    assert button["url"] == f"https://nps.example.com/admin/responses/{response_id}"


def test_a_slack_alert_without_a_comment_goes_after_the_delay(conn, config, receiver, make_touchpoint):
    add_endpoint(conn, receiver.url, format="slack")
    storage.insert_response(conn, make_touchpoint().id, 10)
    assert sender.send_due(conn, config) == 0
    config["ALERT_DELAY"] = 0
    assert sender.send_due(conn, config) == 1
    message = json.loads(receiver.received[0]["body"])
    assert len(message["blocks"]) == 3  # no comment block


def test_only_the_lease_holder_sends(conn, config):
    one, other = sender.Sender(config), sender.Sender(config)
    assert one.holds_lease(conn)
    assert not other.holds_lease(conn)
    assert one.holds_lease(conn)  # renewing
    storage.release_lease(conn, sender.LEASE, one.holder)
    assert other.holds_lease(conn)


def test_a_sender_thread_delivers_and_gives_its_lease_up(conn, config, receiver, make_touchpoint):
    add_endpoint(conn, receiver.url)
    storage.insert_response(conn, make_touchpoint().id, 9)
    running = sender.Sender(config).start()
    try:
        receiver.wait_for(1, timeout=10)
    finally:
        running.stop()
    assert conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0


def test_a_receiver_that_never_answers_times_out(conn, config, make_touchpoint, monkeypatch):
    release = threading.Event()

    class Silent(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            release.wait(5)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(sender.posting, "TIMEOUT", 0.5)
    try:
        add_endpoint(conn, f"http://127.0.0.1:{server.server_address[1]}/")
        storage.insert_response(conn, make_touchpoint().id, 9)
        sender.send_due(conn, config)
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    assert storage.recent_deliveries(conn)[0].last_error == "no answer within 0.5 s"


def test_the_lease_of_a_process_that_is_gone_is_taken_at_once(conn, config):
    import socket

    gone = f"{socket.gethostname()}:999999999:dead"
    assert storage.claim_lease(conn, sender.LEASE, gone, int(time.time()), 3600)
    assert sender.Sender(config).holds_lease(conn)
    conn.execute("UPDATE leases SET holder = 'other-host:1:x', expires_at = ?", (int(time.time()) + 3600,))
    assert not sender.Sender(config).holds_lease(conn)  # another machine's: wait for it to expire


def test_a_batch_to_one_receiver_shares_one_kept_alive_connection(conn, config, receiver, make_touchpoint):
    endpoint = add_endpoint(conn, receiver.url)
    receiver.secret = endpoint.secret
    touchpoint = make_touchpoint()
    for score in range(5):
        storage.insert_response(conn, touchpoint.id, score)
    assert sender.send_due(conn, config) == 5
    assert len(receiver.verified()) == 5
    assert len({request["client"] for request in receiver.received}) == 1


def test_a_connection_the_receiver_closed_is_opened_again():
    """A receiver that answers as if it kept the connection, then closes it (an idle timeout)."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def serve() -> None:
        for _ in range(2):
            client, _ = listener.accept()
            accepted.append(1)
            with client:
                client.recv(65536)
                client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    try:
        with sender.posting.Session(allow_private=True) as session:
            assert session.post(url, b"{}", {}, now=0).delivered
            time.sleep(0.1)  # the receiver has closed it by now
            assert session.post(url, b"{}", {}, now=0).delivered
        thread.join(5)
    finally:
        listener.close()
    assert len(accepted) == 2


def test_a_batch_records_the_outcome_of_each_delivery(conn, config, receiver, make_touchpoint, monkeypatch):
    monkeypatch.setattr(sender, "BATCH", 2)  # three batches, one kept-alive connection
    endpoint = add_endpoint(conn, receiver.url)
    receiver.secret = endpoint.secret
    receiver.answers = [(200, {}), (200, {}), (500, {}), (202, {})]
    touchpoint = make_touchpoint()
    answers = [storage.insert_response(conn, touchpoint.id, score) for score in range(6)]
    assert sender.send_due(conn, config) == 6
    assert len(receiver.verified()) == 6
    assert len({request["client"] for request in receiver.received}) == 1
    by_answer = {delivery.response_id: delivery for delivery in storage.recent_deliveries(conn)}
    failed = by_answer.pop(answers[2])
    assert (failed.status, failed.attempts, failed.last_status) == ("pending", 1, 500)
    assert failed.last_error == "the receiver answered 500 Internal Server Error"
    assert failed.next_try_at > time.time()  # on the schedule: in about 5 s
    assert {d.response_id: (d.status, d.attempts, d.last_status, d.last_error) for d in by_answer.values()} == {
        answers[0]: ("delivered", 1, 200, None),
        answers[1]: ("delivered", 1, 200, None),
        answers[3]: ("delivered", 1, 202, None),
        answers[4]: ("delivered", 1, 200, None),
        answers[5]: ("delivered", 1, 200, None),
    }
