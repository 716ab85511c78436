"""Serving: `anbefal serve` and plain gunicorn with the shipped settings, no
database handle in the master, and a clean stop on SIGTERM and SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import LiveServer, free_port, worker_pids

from collector import gunicorn_conf

pytestmark = pytest.mark.slow


def open_files(pid: int) -> list[str]:
    """Return the paths of every file descriptor *pid* holds."""
    paths = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            paths.append(os.readlink(fd))
        except FileNotFoundError:  # closed while we looked
            continue
    return paths


def wait_for_workers(pid: int, count: int) -> list[int]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = worker_pids(pid)
        if len(workers) >= count:
            return workers
        time.sleep(0.05)
    raise AssertionError(f"master {pid} has {worker_pids(pid)} as workers, expected {count}")


def holds_database(pid: int, db: str) -> bool:
    return any(path.startswith(db) for path in open_files(pid))


def test_shipped_settings_never_build_the_app_in_the_master():
    assert gunicorn_conf.preload_app is False
    assert gunicorn_conf.worker_class == "gthread"
    assert gunicorn_conf.timeout > 0 and gunicorn_conf.graceful_timeout > 0


@pytest.mark.parametrize("demo", [False, True], ids=["plain", "demo"])
def test_master_holds_no_database_handle_and_workers_do(tmp_path, demo):
    server = LiveServer(str(tmp_path / "serve.db"), tmp_path, args=["--workers", "2", *(["--demo"] if demo else [])])
    server.start()
    try:
        assert server.proc is not None
        workers = wait_for_workers(server.proc.pid, 2)
        # Each worker opens its connection on its first request; ask until
        # both have answered one.
        deadline = time.monotonic() + 20
        while not all(holds_database(worker, server.db) for worker in workers):
            assert time.monotonic() < deadline, "the workers never opened the database"
            with urllib.request.urlopen(server.url + "/healthz", timeout=5) as resp:
                assert resp.status == 200
        assert not holds_database(server.proc.pid, server.db), open_files(server.proc.pid)
    finally:
        server.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_cleanly_on_signal(tmp_path, sig):
    server = LiveServer(str(tmp_path / "serve.db"), tmp_path, args=["--workers", "2"])
    server.start()
    assert server.proc is not None
    workers = wait_for_workers(server.proc.pid, 2)
    server.proc.send_signal(sig)
    try:
        returncode = server.proc.wait(timeout=20)
    finally:
        server.stop()
    assert returncode == 0, server.read_log()
    for worker in workers:
        assert not Path(f"/proc/{worker}").exists() or "zombie" in _state(worker)
    assert "Shutting down: Master" in server.read_log()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except FileNotFoundError:
        return "zombie"


def test_plain_gunicorn_line_with_shipped_settings_answers(tmp_path):
    port = free_port()
    db = str(tmp_path / "plain.db")
    env = {**os.environ, "ANBEFAL_DB": db, "ANBEFAL_SECRET_KEY": "plain-test-key"}
    log_path = tmp_path / "gunicorn.log"
    # The documented line, with only the address changed to a free port.
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:collector.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "collector:create_app()",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, log_path.read_text()
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                        assert resp.status == 200
                        assert resp.read() == b'{"status":"ok"}\n'
                        break
                except OSError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.1)
            # The shipped settings start two workers, none holding the database in the master.
            assert len(wait_for_workers(proc.pid, gunicorn_conf.workers)) == gunicorn_conf.workers
            assert not holds_database(proc.pid, db)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    assert proc.returncode == 0, log_path.read_text()
    # Each worker has a socket of its own; the master's line still names the address.
    assert f"Listening at: http://127.0.0.1:{port} (" in log_path.read_text()


def test_a_second_server_on_a_port_in_use_refuses_to_start(tmp_path):
    first = LiveServer(str(tmp_path / "first.db"), tmp_path).start()
    try:
        second = subprocess.run(
            [sys.executable, "-m", "collector", "serve", "--port", str(first.port)],
            env={**first.env, "ANBEFAL_DB": str(tmp_path / "second.db")},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode != 0
        assert f"127.0.0.1:{first.port} is in use" in second.stderr
        # The first server still answers alone.
        with urllib.request.urlopen(first.url + "/healthz", timeout=5) as resp:
            assert resp.status == 200
    finally:
        first.stop()


def test_the_servers_notes_at_info_level_reach_its_log(live_server):
    """Flask's logger passes warnings only unless told otherwise: the notes
    Anbefal logs at info level (a honeypot filled, the hourly clean-up) must
    reach the server's log as well."""
    from collector import storage
    from collector.tokens import Tokens

    conn = storage.connect(live_server.db)
    touchpoint = storage.insert_touchpoint(conn, "support")
    conn.close()
    link = Tokens(["live-test-key"]).make_link_token(touchpoint.id, placeholder="{{ticket.id}}")
    body = b"score=9&anbefal_hp=https%3A%2F%2Fspam.example"
    with urllib.request.urlopen(f"{live_server.url}/s/{link}?ref=T-1", data=body, timeout=10) as reply:
        assert reply.status == 200
    deadline = time.monotonic() + 10
    while "honeypot filled, nothing stored" not in live_server.read_log():
        assert time.monotonic() < deadline, live_server.read_log()
        time.sleep(0.1)
    assert "INFO in pages: survey link for 'support': honeypot filled" in live_server.read_log()


def test_the_log_says_where_the_server_listens(live_server):
    assert f"Listening at: {live_server.url} (" in live_server.read_log()
