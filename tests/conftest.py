"""Fixtures shared by every test: a fresh database per test, the app, its
client and CLI runner, a real server on a free port, and a host page on
another origin for browser tests."""

from __future__ import annotations

import email
import email.message
import email.policy
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from collector import create_app, storage

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# --------------------------------------------------------------------------
# The app, in-process
# --------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "anbefal.db")


@pytest.fixture
def app(db_path: str):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key"})
    yield app
    storage.close_connections()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def count_rows(conn, table: str) -> int:
    """Count the rows of *table*: tests look at the database itself."""
    return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def visitor_salt_days(conn) -> list[str]:
    """The days whose visitor salt is stored, oldest first."""
    rows = conn.execute("SELECT key FROM settings WHERE key LIKE 'visitor\\_salt:%' ESCAPE '\\' ORDER BY key")
    return [row[0].partition(":")[2] for row in rows]


@pytest.fixture
def conn(app):
    """A separate connection to the test database, for asserting on rows."""
    connection = storage.connect(app.config["DB"])
    yield connection
    connection.close()


@pytest.fixture
def make_touchpoint(app, conn) -> Callable[..., storage.Touchpoint]:
    def make(name: str = "checkout", **fields) -> storage.Touchpoint:
        return storage.insert_touchpoint(conn, name, **fields)

    return make


@pytest.fixture
def tokens(app):
    from collector.db import get_tokens

    with app.app_context():
        return get_tokens()


# --------------------------------------------------------------------------
# A real server on a free port
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """Return the child process ids of *pid*: a gunicorn master's workers and its webhook sender."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread of the master that ended since the listing
            continue
    return found


def is_webhook_sender(pid: int) -> bool:
    try:
        return b"collector.webhooks.process" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return False


def worker_pids(master: int) -> list[int]:
    """Return the gunicorn workers of *master* (its children but the webhook sender)."""
    return [pid for pid in children(master) if not is_webhook_sender(pid)]


class LiveServer:
    """`anbefal serve` in a child process, on 127.0.0.1 and a free port."""

    def __init__(self, db: str, tmp: Path, args: list[str] | None = None, env: dict | None = None):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"server-{self.port}.log"
        self.args = args or []
        self.env = {**os.environ, "ANBEFAL_DB": db, "ANBEFAL_SECRET_KEY": "live-test-key", **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        cmd = [sys.executable, "-m", "collector", "serve", "--port", str(self.port), *self.args]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.read_log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer within 30 s:\n{self.read_log()}")

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run `anbefal ARGS...` against this server's database; fail the test if it fails."""
        result = subprocess.run(
            [sys.executable, "-m", "collector", *args],
            input=input,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr + result.stdout
        return result

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """End the server as a power cut would: SIGKILL to every worker and the master, nothing cleaned up."""
        assert self.proc is not None
        master = self.proc.pid
        os.kill(master, signal.SIGSTOP)  # no new worker forked meanwhile
        for child in children(master):  # the workers and the webhook sender
            os.kill(child, signal.SIGKILL)
        os.kill(master, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real collector (gunicorn) with a fresh database; stopped after the test."""
    server = LiveServer(str(tmp_path / "live.db"), tmp_path).start()
    yield server
    server.stop()


class LiveAdmin:
    """A login to a live server's admin, made with `anbefal user add --password-stdin`."""

    def __init__(self, server: LiveServer, email: str, password: str):
        self.server = server
        self.email = email
        self.password = password
        server.cli("user", "add", email, "--password-stdin", input=password + "\n")

    def log_in(self, page, path: str) -> None:
        """Open *path*, get sent to the login page, log in and land on *path*."""
        page.goto(self.server.url + path)
        expect(page).to_have_url(re.compile(r"/admin/login\?next="))
        page.get_by_label("Email").fill(self.email)
        page.get_by_label("Password").fill(self.password)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(self.server.url + path)


@pytest.fixture
def live_admin(live_server: LiveServer) -> LiveAdmin:
    return LiveAdmin(live_server, "owner@example.com", "a password for the browser")


@pytest.fixture
def live_conn(live_server: LiveServer):
    connection = storage.connect(live_server.db)
    yield connection
    connection.close()


# --------------------------------------------------------------------------
# A host page on another origin
# --------------------------------------------------------------------------


class HostSite:
    """Serves HTML pages from http://localhost:<port>: another origin than
    the collector's http://127.0.0.1:<port>, so CORS is real."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def page(self, html: str, path: str = "/") -> str:
        """Publish *html* at *path* and return its URL."""
        self.pages[path] = html
        return self.origin + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


# --------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------


def chromium_executable() -> str | None:
    """Return a system Chromium if there is one; else Playwright's own is used."""
    for candidate in (os.environ.get("ANBEFAL_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """Browser tests open full URLs; this replaces pytest-playwright's fallback
    fixture, a method that pytest 9 warns about (warnings are errors here)."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    executable = chromium_executable()
    if executable:
        args["executable_path"] = executable
    return args


# --------------------------------------------------------------------------
# The admin: a user and a logged-in test client
# --------------------------------------------------------------------------

ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "correct horse battery"


def csrf_token_of(html: str) -> str:
    """Return the CSRF token in the first admin form of *html*."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def admin_user(app, conn):
    from admin import users

    return users.add_user(conn, ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def admin_client(app, client, admin_user):
    """The test client, logged in to the admin; `admin_client.csrf` is a valid form token."""
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": csrf_token_of(page.text)},
    )
    assert response.status_code == 302, response.text
    client.csrf = csrf_token_of(client.get("/admin/comments").text)
    return client


# --------------------------------------------------------------------------
# A webhook receiver on 127.0.0.1
# --------------------------------------------------------------------------


class WebhookReceiver:
    """A real HTTP receiver on a free port that records every POST and, given
    the endpoint's secret, verifies it with the standardwebhooks package (an
    implementation we did not write). Answers 200 unless told otherwise."""

    def __init__(self) -> None:
        from standardwebhooks import Webhook

        self.secret: str | None = None
        self.received: list[dict] = []  # headers (lower-case), body, verified payload
        self.answers: list[tuple[int, dict[str, str]]] = []  # the next answers to give, in order
        self.default: tuple[int, dict[str, str]] = (200, {})  # then this one
        self.arrived = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections alive, as most receivers do

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {key.lower(): value for key, value in self.headers.items()}
                verified = None
                status, extra = receiver.answers.pop(0) if receiver.answers else receiver.default
                if receiver.secret:
                    try:
                        verified = Webhook(receiver.secret).verify(body, headers)
                    except Exception as exc:  # the test fails on it: see verified()
                        verified, status = exc, 400
                with receiver.arrived:  # recorded before the sender hears back
                    receiver.received.append(
                        {
                            "headers": headers,
                            "body": body,
                            "verified": verified,
                            "status": status,
                            "client": self.client_address,
                        }
                    )
                    receiver.arrived.notify_all()
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        """Wait until *count* requests have arrived; return them all."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        assert len(self.received) >= count, f"{len(self.received)} of {count} requests arrived"
        return self.received

    def verified(self) -> list[dict]:
        """The payloads of every request, each verified by standardwebhooks; fails on any that was not."""
        failed = [r["verified"] for r in self.received if not isinstance(r["verified"], dict)]
        assert failed == [], failed
        return [r["verified"] for r in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    found = WebhookReceiver()
    yield found
    found.close()


# --------------------------------------------------------------------------
# An SMTP server on 127.0.0.1
# --------------------------------------------------------------------------


class MailServer:
    """A real SMTP server (aiosmtpd) on a free port that keeps every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 20) -> list[email.message.EmailMessage]:
        """Wait until *count* messages have arrived (fail after *timeout* seconds) and return them."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived")
            return list(self.messages)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer().start()
    yield server
    server.stop()
