"""Acknowledged means durable: answers acknowledged with a 2xx survive a
SIGKILL of a worker and then of the whole server."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import urllib.request

import pytest
from conftest import LiveServer, children, worker_pids

from collector import storage
from collector.tokens import Tokens

pytestmark = pytest.mark.slow

SECRET = "fault-test-key"
CLIENTS = 8
# A browser's User-Agent, so no bot filter can drop the answers silently.
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


def wait_until(condition, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class Clients:
    """Threads that post answers with unique refs and record every 2xx."""

    def __init__(self, port: int, token: str, time_limit: float = 25) -> None:
        self.port = port
        self.token = token
        self.acknowledged: list[str] = []
        self.failures = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.deadline = time.monotonic() + time_limit
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)]

    def start(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def acked(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
            assert not thread.is_alive()

    def _run(self, client: int) -> None:
        sent = 0
        # Bounded in count and in time; only ever talks to the loopback address.
        while not self.stop.is_set() and time.monotonic() < self.deadline and sent < 5000:
            ref = f"fault-{client}-{sent}"
            sent += 1
            if self._post(ref):
                with self.lock:
                    self.acknowledged.append(ref)
            else:
                with self.lock:
                    self.failures += 1
                time.sleep(0.01)  # a server being killed refuses connections; do not spin

    def _post(self, ref: str) -> bool:
        body = json.dumps({"token": self.token, "score": 7, "ref": ref})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request(
                "POST",
                "/api/v1/responses",
                body=body,
                headers={"Content-Type": "application/json", "User-Agent": BROWSER_UA},
            )
            response = conn.getresponse()
            response.read()
            return 200 <= response.status < 300
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()


def kill_whole_server(master: int) -> None:
    """SIGKILL the master and every worker, with no chance to clean up."""
    # Stopped first, so that the master cannot fork a new worker between
    # reading its children and killing them.
    os.kill(master, signal.SIGSTOP)
    for child in children(master):  # the workers and the webhook sender
        os.kill(child, signal.SIGKILL)
    os.kill(master, signal.SIGKILL)


def test_acknowledged_answers_survive_sigkill_of_a_worker_and_of_the_server(tmp_path):
    db = str(tmp_path / "faults.db")
    env = {"ANBEFAL_SECRET_KEY": SECRET, "ANBEFAL_RATELIMIT": "off"}
    server = LiveServer(db, tmp_path, args=["--workers", "2"], env=env).start()
    assert server.proc is not None
    master = server.proc.pid
    try:
        setup = storage.connect(db)
        touchpoint = storage.insert_touchpoint(setup, "fault-test")
        setup.close()
        token = Tokens([SECRET]).make_embed_token(touchpoint.id)

        wait_until(lambda: len(worker_pids(master)) == 2, "two workers")
        clients = Clients(server.port, token).start()
        try:
            wait_until(lambda: clients.acked() >= 100, "answers before killing a worker")
            victim = worker_pids(master)[0]
            os.kill(victim, signal.SIGKILL)
            acked_at_worker_kill = clients.acked()
            # The server goes on answering (the other worker, then a new one).
            wait_until(lambda: clients.acked() >= acked_at_worker_kill + 100, "answers after killing a worker")
            wait_until(lambda: victim not in worker_pids(master), "the master to reap the killed worker")
            kill_whole_server(master)
            server.proc.wait(timeout=10)
            # Let the clients meet the dead server before they stop.
            failures_at_kill = clients.failures
            wait_until(lambda: clients.failures > failures_at_kill + CLIENTS, "clients to see the dead server")
        finally:
            clients.join()
    finally:
        server.stop()

    acknowledged = list(clients.acknowledged)
    assert len(acknowledged) >= 200
    assert len(set(acknowledged)) == len(acknowledged)

    restarted = LiveServer(db, tmp_path, args=["--workers", "2"], env=env).start()
    try:
        with urllib.request.urlopen(restarted.url + "/healthz", timeout=5) as resp:
            assert resp.status == 200
        conn = storage.connect(db)
        try:
            assert [tuple(row) for row in conn.execute("PRAGMA integrity_check")] == [("ok",)]
            stored = dict(
                conn.execute(
                    "SELECT ref, COUNT(*) FROM responses WHERE touchpoint_id = ? GROUP BY ref", (touchpoint.id,)
                ).fetchall()
            )
        finally:
            conn.close()
    finally:
        restarted.stop()

    missing = [ref for ref in acknowledged if ref not in stored]
    assert not missing, f"{len(missing)} acknowledged answers were lost, e.g. {missing[:5]}"
    assert all(stored[ref] == 1 for ref in acknowledged)
    # Answers cut off mid-flight may be stored without their 2xx, never twice.
    assert all(count == 1 for count in stored.values())
