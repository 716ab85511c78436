"""Webhooks from the real server: answers acknowledged over HTTP get their
events, also when the whole server is killed while they wait."""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest
from conftest import LiveServer

from collector import storage
from collector.tokens import Tokens
from collector.webhooks import signing

pytestmark = pytest.mark.slow

SECRET = "webhook-serving-key"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
ANSWERS = 40


def post_answer(port: int, token: str, ref: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = json.dumps({"token": token, "score": 3, "ref": ref})
        conn.request("POST", "/api/v1/responses", body, {"Content-Type": "application/json", "User-Agent": BROWSER_UA})
        reply = conn.getresponse()
        reply.read()
        return reply.status == 201
    finally:
        conn.close()


def delivered_refs(receiver) -> set[str]:
    with receiver.arrived:
        done = [r for r in receiver.received if r["status"] == 200]
    return {json.loads(r["body"])["data"]["ref"] for r in done}


def test_no_event_is_lost_when_the_server_is_killed_while_they_wait(tmp_path, receiver):
    db = str(tmp_path / "webhooks.db")
    setup = storage.connect(db)
    storage.migrate(setup)
    touchpoint = storage.insert_touchpoint(setup, "checkout")
    secret = signing.new_secret()
    storage.insert_webhook_endpoint(setup, receiver.url, secret)
    setup.close()
    receiver.secret = secret
    receiver.default = (503, {"Retry-After": "1"})  # busy: every event waits in the outbox
    token = Tokens([SECRET]).make_embed_token(touchpoint.id)
    env = {"ANBEFAL_SECRET_KEY": SECRET, "ANBEFAL_RATELIMIT": "off", "ANBEFAL_WEBHOOK_ALLOW_PRIVATE": "true"}

    server = LiveServer(db, tmp_path, args=["--workers", "2"], env=env).start()
    acknowledged: list[str] = []
    try:
        lock = threading.Lock()

        def client(n: int) -> None:
            for i in range(ANSWERS // 4):
                ref = f"order-{n}-{i}"
                if post_answer(server.port, token, ref):
                    with lock:
                        acknowledged.append(ref)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        receiver.wait_for(1)  # the sender runs, and is told to wait
        server.kill()
    finally:
        server.stop()

    assert len(acknowledged) == ANSWERS
    conn = storage.connect(db)
    try:
        queued = conn.execute(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND type = 'response.created'"
        ).fetchone()[0]
        assert queued == ANSWERS  # every acknowledged answer has its event, none sent yet
        assert delivered_refs(receiver) == set()

        receiver.default = (200, {})
        restarted = LiveServer(db, tmp_path, args=["--workers", "2"], env=env).start()
        try:
            deadline = time.monotonic() + 60
            while delivered_refs(receiver) != set(acknowledged) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            restarted.stop()
        assert delivered_refs(receiver) == set(acknowledged)
        receiver.verified()  # every request, before and after the kill, signed right
        # Each event kept its webhook-id through every try, before and after the kill.
        ids: dict[str, set[str]] = {}
        for request in receiver.received:
            ids.setdefault(json.loads(request["body"])["data"]["ref"], set()).add(request["headers"]["webhook-id"])
        assert all(len(found) == 1 for found in ids.values())
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status").fetchall())
        assert statuses == {"delivered": ANSWERS}
    finally:
        conn.close()
