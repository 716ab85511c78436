"""Reloads under load: `kill -HUP` of the master and a rolling restart of
the workers while clients post answers drop no request, every acknowledged
answer is stored, and the load stays spread over every worker."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from conftest import LiveServer, worker_pids

from collector import storage
from collector.tokens import Tokens

pytestmark = pytest.mark.slow

CLIENTS = 8
# A browser's, so that no bot filter drops the answers silently.
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
WORKERS = 2


def cpu_ticks(pid: int) -> int:
    """User and system time *pid* has used, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])


class Load:
    """CLIENTS threads posting answers, each on a new connection, as browsers' visitors do."""

    def __init__(self, server: LiveServer, token: str):
        self.server = server
        self.token = token
        self.stop = threading.Event()
        self.acknowledged: list[str] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._post, args=(n,)) for n in range(CLIENTS)]

    def _post(self, client: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            ref = f"c{client}-{n}"
            body = json.dumps({"token": self.token, "score": n % 11, "ref": ref})
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
            try:
                conn.request("POST", "/api/v1/responses", body, {"Content-Type": "application/json", "User-Agent": UA})
                reply = conn.getresponse()
                reply.read()
                with self.lock:
                    if reply.status == 201:
                        self.acknowledged.append(ref)
                    else:
                        self.errors.append(f"{reply.status}")
            except OSError as exc:
                with self.lock:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                conn.close()

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def wait_for(self, more: int) -> None:
        """Wait until *more* answers beyond the current count are acknowledged."""
        target = self.count() + more
        deadline = time.monotonic() + 60
        while self.count() < target:
            assert time.monotonic() < deadline, f"only {self.count()} of {target} answers acknowledged"
            time.sleep(0.05)


def wait_for_new_workers(master: int, old: set[int]) -> list[int]:
    """Wait until the master has WORKERS workers, none of them in *old*."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = worker_pids(master)
        if len(now) == WORKERS and not set(now) & old:
            return now
        time.sleep(0.05)
    raise AssertionError(f"workers {worker_pids(master)} did not replace {old}")


def stored_refs(db: str) -> set[str]:
    conn = storage.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT ref FROM responses")}
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path):
    server = LiveServer(
        str(tmp_path / "reload.db"), tmp_path, args=["--workers", str(WORKERS)], env={"ANBEFAL_RATELIMIT": "off"}
    )
    server.start()
    server.cli("touchpoint", "add", "checkout")
    yield server
    server.stop()


def token_for(server: LiveServer) -> str:
    conn = storage.connect(server.db)
    try:
        touchpoint = storage.get_touchpoint_by_name(conn, "checkout")
    finally:
        conn.close()
    assert touchpoint is not None
    return Tokens([server.env["ANBEFAL_SECRET_KEY"]]).make_embed_token(touchpoint.id)


def shares(master: int, load: Load, answers: int) -> list[float]:
    """Each current worker's share of the CPU time spent on *answers* more answers."""
    workers = worker_pids(master)
    before = {pid: cpu_ticks(pid) for pid in workers}
    load.wait_for(answers)
    used = {pid: cpu_ticks(pid) - before[pid] for pid in workers}
    total = sum(used.values()) or 1
    return [used[pid] / total for pid in workers]


def assert_nothing_lost(what: str, server: LiveServer, load: Load, spread: list[float]) -> None:
    """No connection error, every acknowledged answer stored, and each worker did at least a quarter of the work."""
    stored = stored_refs(server.db)
    print(f"{what}: {len(load.acknowledged)} acknowledged, {len(stored)} stored, {len(load.errors)} errors")
    print(f"CPU shares of the workers: {[round(share, 2) for share in spread]}")
    assert load.errors == []
    assert set(load.acknowledged) <= stored
    assert min(spread) >= 0.25, spread


def test_sighup_twice_under_load_drops_nothing_and_spreads_the_load(server):
    assert server.proc is not None
    master = server.proc.pid
    with Load(server, token_for(server)) as load:
        load.wait_for(300)
        for _ in range(2):
            old = set(worker_pids(master))
            os.kill(master, signal.SIGHUP)
            wait_for_new_workers(master, old)
            load.wait_for(300)
        spread = shares(master, load, 1000)
    assert_nothing_lost("SIGHUP x2", server, load, spread)


def test_rolling_restart_of_workers_under_load_drops_nothing(server):
    assert server.proc is not None
    master = server.proc.pid
    with Load(server, token_for(server)) as load:
        load.wait_for(300)
        for worker in worker_pids(master):
            # One at a time, as a rolling restart does: the master replaces it.
            os.kill(worker, signal.SIGTERM)
            wait_for_new_workers(master, {worker})
            load.wait_for(300)
        spread = shares(master, load, 1000)
    assert_nothing_lost("rolling restart", server, load, spread)
