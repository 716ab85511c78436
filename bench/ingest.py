"""Ingest benchmark: Anbefal's POST /api/v1/responses against a bare Flask
app, both under gunicorn with the shipped settings, driven by wrk.

Each server gets a fresh database in a temporary folder, listens on a free
loopback port, and is stopped when its runs are done. Every request carries
a ref of its own (see post.lua), so every request stores one new answer.

With webhook="both" (`python -m bench --webhook`) two more Anbefal servers
take their turns too, each database with one webhook endpoint that wants
every event, pointing at a tiny receiver in this process: each answer
queues an event in its own commit. On the first ("send") that server's
sender posts them meanwhile; on the second ("queue") the endpoint is
paused: the events are queued in the answers' commits but none is sent,
which measures the cost of the outbox alone. webhook="send" or "queue"
adds only one of them. After the runs the benchmark waits for the sending
server's outbox to empty, and says how long that took.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECRET = "bench-secret-key"
WORKERS = 2
CONNECTIONS = (16, 64)
DURATION = 5  # seconds per measured run
REPEATS = 5  # runs per server and connection count; the median is reported
WARMUP = 3  # seconds before the first measured run of each server


@dataclass
class Result:
    server: str
    connections: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non2xx: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """A tiny webhook receiver on a free loopback port: answers 204 and counts."""

    def __init__(self) -> None:
        self.count = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections alive, as most receivers do

            def do_POST(self):  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.count += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class Server:
    """A gunicorn server in its own process group, on a free loopback port."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], workdir: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = [part.replace("{port}", str(self.port)) for part in cmd]
        self.env = {**os.environ, **env}
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            self.cmd, stdout=self.log, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"{self.name} did not answer within 30 s")

    def __exit__(self, *_exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise RuntimeError("wrk is not installed (scripts/ensure-wrk installs it)")
    return path


def run_wrk(url: str, connections: int, seconds: int, token: str, prefix: str) -> Result:
    """Drive *url* with wrk and parse its summary."""
    threads = min(2, connections)
    cmd = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(HERE / "post.lua"),
        url,
        "--",
        token,
        prefix,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    return parse_wrk(out, connections)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(out: str, connections: int) -> Result:
    """Return requests/s, p50, p99 and errors from wrk's --latency output."""
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)$", out, re.M))
    requests = int(re.search(r"^\s+(\d+) requests in", out, re.M).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M).group(1))  # type: ignore[union-attr]
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    non2xx = int(found.group(1)) if found else 0
    # No latency at all when no request came back within the run (a warm-up on a busy machine).
    p50, p99 = (_ms(latency[p]) if p in latency else float("nan") for p in ("50", "99"))
    return Result("", connections, requests, rps, p50, p99, socket_errors + non2xx, non2xx)


def _prepare_anbefal_db(path: str, webhook_url: str | None = None, paused: bool = False) -> str:
    """Create the schema and a touchpoint (and a webhook endpoint); return its embed token."""
    from collector import create_app, storage
    from collector.tokens import Tokens
    from collector.webhooks.signing import new_secret

    create_app({"DB": path, "SECRET_KEY": SECRET})
    conn = storage.connect(path)
    touchpoint = storage.insert_touchpoint(conn, "bench", origins=["https://shop.example"])
    if webhook_url:
        endpoint_id = storage.insert_webhook_endpoint(conn, webhook_url, new_secret())
        storage.pause_webhook_endpoint(conn, endpoint_id, paused)
    conn.close()
    return Tokens([SECRET]).make_embed_token(touchpoint.id)


def _count_rows(path: str, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# The server measured with a webhook endpoint, by mode.
WEBHOOK_SERVERS = {"send": "anbefal + webhook", "queue": "anbefal + outbox only"}
WEBHOOK_MODES = {"both": ("queue", "send"), "send": ("send",), "queue": ("queue",)}
DRAIN_TIMEOUT = 600  # seconds to wait, after the runs, for the sending server's outbox to empty


def servers(workdir: Path, webhook: str | None = None) -> list[tuple[str, list[str], dict[str, str], str, str]]:
    """(name, command, environment, database, table) of each server to measure."""
    anbefal_db = str(workdir / "anbefal.db")
    bare_db = str(workdir / "bare.db")
    python = sys.executable
    gunicorn_line = [python, "-m", "gunicorn", "-c", "python:collector.gunicorn_conf", "--bind", "127.0.0.1:{port}"]
    # The documented production command.
    serve = [python, "-m", "collector", "serve", "--port", "{port}", "--workers", str(WORKERS)]
    env = {"ANBEFAL_SECRET_KEY": SECRET, "ANBEFAL_RATELIMIT": "off"}
    with_webhook = []
    for mode in WEBHOOK_MODES[webhook] if webhook else ():
        webhook_db = str(workdir / f"webhook-{mode}.db")
        webhook_env = {**env, "ANBEFAL_DB": webhook_db, "ANBEFAL_WEBHOOK_ALLOW_PRIVATE": "true"}
        with_webhook.append((WEBHOOK_SERVERS[mode], serve, webhook_env, webhook_db, "responses"))
    return [
        ("anbefal", serve, {**env, "ANBEFAL_DB": anbefal_db}, anbefal_db, "responses"),
        *with_webhook,
        (
            "bare flask",
            [*gunicorn_line, "--workers", str(WORKERS), "bench.bare_app:create_app()"],
            {"BENCH_DB": bare_db},
            bare_db,
            "answers",
        ),
    ]


@dataclass
class Check:
    """Answers acknowledged with a 2xx during a server's runs, and rows stored."""

    server: str
    acknowledged: int
    stored: int
    runs: list[Result] | None = None
    events: str = ""  # with a webhook: what became of the events


def median_result(server: str, runs: list[Result]) -> Result:
    """Combine repeated runs: median req/s, p50 and p99; errors added up."""
    return Result(
        server,
        runs[0].connections,
        sum(r.requests for r in runs),
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.errors for r in runs),
        sum(r.non2xx for r in runs),
    )


def _event_counts(path: str) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(path, timeout=30)
    try:
        return dict(conn.execute("SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status").fetchall())
    finally:
        conn.close()


def _drain(path: str, timeout: float = DRAIN_TIMEOUT) -> float | None:
    """Wait until no delivery of the database at *path* is pending; return how many seconds that took."""
    started = time.monotonic()
    while _event_counts(path).get("pending", 0):
        if time.monotonic() - started > timeout:
            return None
        time.sleep(0.5)
    return time.monotonic() - started


def _events(counts: dict[str, int], received: int, during: int | None = None, drained: float | None = None) -> str:
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    text = f"events: {sum(counts.values())} queued ({done}); the receiver got {received}"
    if during is not None:
        text += f", {during} of them during the runs"
        text += (
            f"; the rest within {drained:.0f} s after"
            if drained is not None
            else f"; the rest not within {DRAIN_TIMEOUT} s after"
        )
    return text


def run(
    duration: int = DURATION,
    connections: tuple[int, ...] = CONNECTIONS,
    repeats: int = REPEATS,
    webhook: str | None = None,
) -> tuple[list[Result], list[Check]]:
    """Measure every server at every connection count.

    Both servers run side by side and take turns, run by run, so that a
    change in the machine's load (other processes on its two cores) falls
    on both alike; each figure is the median of *repeats* runs.
    """
    results: list[Result] = []
    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="anbefal-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        token = _prepare_anbefal_db(str(workdir / "anbefal.db"))
        receiver = stack.enter_context(Receiver())
        for mode in WEBHOOK_MODES[webhook] if webhook else ():  # the same touchpoint id: one token for all
            _prepare_anbefal_db(str(workdir / f"webhook-{mode}.db"), receiver.url, paused=mode == "queue")
        specs = servers(workdir, webhook)
        started = [stack.enter_context(Server(name, cmd, env, workdir)) for name, cmd, env, _, _ in specs]
        runs: dict[tuple[str, int], list[Result]] = {}
        all_runs: dict[str, list[Result]] = {server.name: [] for server in started}
        for server in started:
            all_runs[server.name].append(run_wrk(server.url, connections[0], WARMUP, token, "warmup"))
        for repeat in range(repeats):
            for count in connections:
                for server in started:
                    result = run_wrk(server.url, count, duration, token, f"r{repeat}c{count}")
                    result.server = server.name
                    runs.setdefault((server.name, count), []).append(result)
                    all_runs[server.name].append(result)
        for count in connections:
            for server in started:
                results.append(median_result(server.name, runs[server.name, count]))
        during = receiver.count
        drained = {
            db: _drain(db) for name, _, _, db, _ in specs if name == WEBHOOK_SERVERS["send"]
        }  # the sender's backlog, sent once the runs are over
        stack.close()  # stop the servers before counting their rows
        for name, _, _, db, table in specs:
            # Requests still in flight when a run ends may be stored without
            # being counted, so stored >= acknowledged; fewer would be a loss.
            acknowledged = sum(r.requests - r.non2xx for r in all_runs[name])
            events = ""
            if name == WEBHOOK_SERVERS["send"]:
                events = _events(_event_counts(db), receiver.count, during, drained[db])
            elif name in WEBHOOK_SERVERS.values():
                events = _events(_event_counts(db), 0)
            checks.append(Check(name, acknowledged, _count_rows(db, table), all_runs[name], events))
    return results, checks
