"""Storage faults made for real: a full file system, a read-only database
and a lock held by another program. Each is answered 503 with its own code
(a page for people, a message and exit status 75 on the command line), is
logged once rather than per request, loses nothing acknowledged, and
writing resumes by itself once the fault is gone."""

from __future__ import annotations

import errno
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import LiveServer, free_port

from collector import create_app, storage
from collector.tokens import Tokens

pytestmark = pytest.mark.slow

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@contextmanager
def mounted(*commands: list[str], target: Path) -> Iterator[Path]:
    """Run the mount *commands* (as root), yield *target*, unmount it afterwards."""
    target.mkdir(exist_ok=True)
    for command in commands:
        subprocess.run(command, check=True, capture_output=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True, capture_output=True)


def request(server: LiveServer, method: str, path: str, body=None, headers=None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        data = json.dumps(body) if isinstance(body, dict) else body
        conn.request(method, path, data, {"User-Agent": BROWSER_UA, **(headers or {})})
        reply = conn.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        conn.close()


def post_answer(server: LiveServer, token: str, ref: str) -> tuple[int, dict, bytes]:
    body = {"token": token, "score": 9, "ref": ref}
    return request(server, "POST", "/api/v1/responses", body, {"Content-Type": "application/json"})


def token_for(db: str, name: str, secret: str) -> str:
    conn = storage.connect(db)
    try:
        touchpoint = storage.get_touchpoint_by_name(conn, name)
    finally:
        conn.close()
    assert touchpoint is not None
    return Tokens([secret]).make_embed_token(touchpoint.id)


def stored_refs(db: str) -> set[str]:
    conn = storage.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT ref FROM responses WHERE ref IS NOT NULL")}
    finally:
        conn.close()


def until(condition, what: str, timeout: float = 20):
    """Poll *condition* until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def health(server: LiveServer) -> tuple[int, str]:
    status, _, body = request(server, "GET", "/healthz")
    reply = json.loads(body)
    return status, reply.get("status") or reply["error"]["code"]


def assert_refused(reply: tuple[int, dict, bytes], code: str) -> None:
    status, headers, body = reply
    assert status == 503, (status, body)
    assert json.loads(body)["error"]["code"] == code
    assert int(headers["Retry-After"]) > 0


def assert_command_refused(server: LiveServer, says: str) -> None:
    """A command that writes says what is wrong and exits with 75 (EX_TEMPFAIL), without a traceback."""
    command = subprocess.run(
        [sys.executable, "-m", "collector", "touchpoint", "add", "invoice"],
        env=server.env,
        capture_output=True,
        text=True,
    )
    assert command.returncode == 75, command.stderr
    assert says in command.stderr and "Traceback" not in command.stderr


def assert_logged_once(server: LiveServer, code: str) -> None:
    log = server.read_log()
    assert "Traceback" not in log, log
    assert " 500 " not in log
    # One worker: one line per fault and minute, however many were refused.
    assert len(re.findall(rf"{code}: ", log)) == 1, log


# --------------------------------------------------------------------------
# A full file system
# --------------------------------------------------------------------------


def fill(folder: Path) -> Path:
    """Write a file into *folder* until its file system is full; return it."""
    filler = folder / "filler"
    with open(filler, "wb") as file:
        try:
            while True:
                file.write(b"\0" * 16384)
                file.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_refuses_answers_with_503_storage_full_and_resumes_when_space_is_freed(tmp_path):
    with mounted(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(tmp_path / "small")], target=tmp_path / "small"
    ):
        server = LiveServer(str(tmp_path / "small" / "anbefal.db"), tmp_path, env={"ANBEFAL_RATELIMIT": "off"})
        server.start()
        try:
            server.cli("touchpoint", "add", "checkout")
            token = token_for(server.db, "checkout", server.env["ANBEFAL_SECRET_KEY"])
            acknowledged, refused = [], []
            for n in range(40):
                assert post_answer(server, token, f"before-{n}")[0] == 201
                acknowledged.append(f"before-{n}")
            filler = fill(tmp_path / "small")
            for n in range(3000):
                reply = post_answer(server, token, f"full-{n}")
                assert reply[0] in (201, 503), reply
                if reply[0] == 201:
                    acknowledged.append(f"full-{n}")
                else:
                    assert_refused(reply, "storage_full")
                    refused.append(reply)
                if len(refused) >= 20:
                    break
            assert len(refused) >= 20, "the full disk never refused an answer"
            assert until(lambda: health(server) == (503, "storage_full") or None, "/healthz to say storage_full")
            # The command line says so too, and exits with 75.
            assert_command_refused(server, "disk is full")

            filler.unlink()
            assert post_answer(server, token, "after")[0] == 201
            acknowledged.append("after")
            assert until(lambda: health(server) == (200, "ok") or None, "/healthz to say ok again")
            assert_logged_once(server, "storage_full")
            print(f"disk full: {len(acknowledged)} acknowledged (201), {len(refused)} refused (503 storage_full)")
        finally:
            server.stop()
        stored = stored_refs(server.db)
        assert set(acknowledged) <= stored
        print(f"disk full: {len(stored)} stored")
        assert storage.check_integrity(server.db) == ["ok"]


# --------------------------------------------------------------------------
# A lock held by another program past the busy timeout
# --------------------------------------------------------------------------


@pytest.fixture
def busy_server(tmp_path):
    server = LiveServer(
        str(tmp_path / "busy.db"),
        tmp_path,
        args=["--workers", "1"],
        env={"ANBEFAL_RATELIMIT": "off", "ANBEFAL_BUSY_TIMEOUT": "300"},
    )
    server.start()
    server.cli("touchpoint", "add", "checkout", "--language", "da")
    yield server
    server.stop()


@contextmanager
def lock_held(db: str) -> Iterator[None]:
    """Hold the database's write lock from another connection, as a long backup or a command would."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def survey_link(server: LiveServer) -> str:
    out = server.cli("link", "checkout", "--ref", "T-1").stdout
    return urllib.parse.urlsplit(re.search(r"https?://\S+", out).group(0)).path


def test_a_lock_held_past_the_busy_timeout_refuses_every_writer_with_its_own_answer(busy_server):
    server = busy_server
    token = token_for(server.db, "checkout", server.env["ANBEFAL_SECRET_KEY"])
    api_key = server.cli("apikey", "create", "helpdesk").stdout.split()[0]
    link = survey_link(server)
    server.cli("user", "add", "owner@example.com", "--password-stdin", input="a password for the test\n")
    page = request(server, "GET", link)[2].decode()
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    assert post_answer(server, token, "before")[0] == 201
    with lock_held(server.db):
        # The widget's API, and the links API: JSON with Retry-After.
        assert_refused(post_answer(server, token, "while-busy"), "storage_busy")
        links_api = request(
            server,
            "POST",
            "/api/v1/links",
            {"touchpoint": "checkout", "ref": "T-2"},
            {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        )
        assert_refused(links_api, "storage_busy")
        # The survey link page: the form again, in the touchpoint's language, with the comment kept.
        form = urllib.parse.urlencode({"score": "4", "comment": "Langsom levering", "form_token": form_token})
        status, headers, body = request(
            server, "POST", link, form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 503 and int(headers["Retry-After"]) > 0
        text = body.decode()
        assert "Dit svar kunne ikke gemmes lige nu" in text and "Langsom levering" in text
        # The admin's login (it writes a session): a page that says nothing was saved.
        login = request(server, "GET", "/admin/login")
        csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login[2].decode()).group(1)
        cookie = login[1]["Set-Cookie"].split(";")[0]
        form = urllib.parse.urlencode(
            {"email": "owner@example.com", "password": "a password for the test", "csrf_token": csrf}
        )
        status, _, body = request(
            server,
            "POST",
            "/admin/login",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        assert status == 503 and "Nothing was saved" in body.decode()
        # The command line: a message and exit status 75, no traceback.
        assert_command_refused(server, "database is busy")
        assert until(lambda: health(server) == (503, "storage_busy") or None, "/healthz to say storage_busy")
    assert post_answer(server, token, "after")[0] == 201
    assert until(lambda: health(server) == (200, "ok") or None, "/healthz to say ok again")
    assert {"before", "after"} <= stored_refs(server.db)
    assert "while-busy" not in stored_refs(server.db)
    assert_logged_once(server, "storage_busy")


# --------------------------------------------------------------------------
# A read-only database
# --------------------------------------------------------------------------


HOLD_OPEN = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
print("open", flush=True)
sys.stdin.read()
"""


def test_a_read_only_database_refuses_answers_and_writes_again_once_writable(tmp_path):
    real = tmp_path / "data"
    real.mkdir()
    view = tmp_path / "view"
    with mounted(["mount", "--bind", str(real), str(view)], target=view):
        app = create_app({"TESTING": True, "DB": str(view / "anbefal.db"), "SECRET_KEY": "ro-key", "RATELIMIT": False})
        conn = storage.connect(app.config["DB"])
        touchpoint = storage.insert_touchpoint(conn, "checkout")
        conn.close()
        # Another process keeps the WAL and its index in place, as the
        # server's other workers would; through the file's own folder, so
        # that the mount can turn read-only beneath it.
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_OPEN, str(real / "anbefal.db")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "open\n"
            token = Tokens(["ro-key"]).make_embed_token(touchpoint.id)
            client = app.test_client()
            answer = {"token": token, "score": 7}
            assert client.post("/api/v1/responses", json={**answer, "ref": "before"}).status_code == 201
            storage.close_connections()  # nothing may write through the mount while it turns read-only
            subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True, capture_output=True)

            refused = client.post("/api/v1/responses", json={**answer, "ref": "while-read-only"})
            assert refused.status_code == 503, refused.data
            assert refused.json["error"]["code"] == "storage_read_only"
            assert int(refused.headers["Retry-After"]) > 0
            health = client.get("/healthz")
            assert health.status_code == 503 and health.json["error"]["code"] == "storage_read_only"

            subprocess.run(["mount", "-o", "remount,bind,rw", str(view)], check=True, capture_output=True)
            again = client.post("/api/v1/responses", json={**answer, "ref": "after"})
            assert again.status_code == 201, again.data
        finally:
            storage.close_connections()
            holder.communicate("")
    assert stored_refs(str(real / "anbefal.db")) == {"before", "after"}


# --------------------------------------------------------------------------
# A damaged database, or one that is not Anbefal's
# --------------------------------------------------------------------------


def anbefal(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANBEFAL_DB": str(db), "ANBEFAL_SECRET_KEY": "refusal-key"}
    return subprocess.run(
        [sys.executable, "-m", "collector", *args], env=env, capture_output=True, text=True, timeout=60
    )


def damage(db: Path) -> None:
    """Overwrite the first page's b-tree (the schema's root) with noise, as a failing disk might."""
    with open(db, "r+b") as file:
        file.seek(100)
        file.write(b"\xa5" * 200)


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda db: db.write_text("name;score\nAda;9\n"), "is not a SQLite database"),
        (
            lambda db: sqlite3.connect(db).execute("CREATE TABLE orders (id INTEGER)").connection.commit(),
            "another program's",
        ),
        (
            lambda db: (create_app({"DB": str(db), "SECRET_KEY": "k"}), storage.close_connections(), damage(db)),
            "is damaged",
        ),
    ],
    ids=["not-sqlite", "another-program", "damaged"],
)
def test_an_unusable_database_refuses_to_start_with_what_is_wrong(tmp_path, make, says):
    db = tmp_path / "anbefal.db"
    make(db)
    before = db.read_bytes()
    for args in (["touchpoint", "list"], ["serve", "--port", str(free_port())]):
        result = anbefal(db, *args)
        assert result.returncode == 1, result.stdout + result.stderr
        assert says in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert "Error:" in result.stderr
    # Plain gunicorn with the shipped settings: one message from the master, no worker started.
    env = {**os.environ, "ANBEFAL_DB": str(db), "ANBEFAL_SECRET_KEY": "refusal-key"}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:collector.gunicorn_conf"]
    result = subprocess.run(
        [*command, "--bind", f"127.0.0.1:{free_port()}", "collector:create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and says in result.stderr and "Traceback" not in result.stderr, result.stderr
    if says != "another program's":
        assert "anbefal backup" in result.stderr
    assert db.read_bytes() == before  # nothing was written to it


# --------------------------------------------------------------------------
# A retried answer is stored once
# --------------------------------------------------------------------------


def test_an_answer_sent_again_after_a_lost_reply_is_stored_once(client, conn, make_touchpoint, tokens):
    token = tokens.make_embed_token(make_touchpoint().id)
    headers = {"User-Agent": BROWSER_UA}
    # Without a ref: the same visitor's answers to a touchpoint within the dedup window are one row.
    first = client.post("/api/v1/responses", json={"token": token, "score": 6}, headers=headers)
    again = client.post("/api/v1/responses", json={"token": token, "score": 6}, headers=headers)
    # With a ref: one row per ref.
    with_ref = [
        client.post("/api/v1/responses", json={"token": token, "score": 9, "ref": "A-1"}, headers=headers)
        for _ in range(2)
    ]
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert with_ref[0].json["id"] == with_ref[1].json["id"]
    # The comment's PATCH sent twice sets the same comment.
    for _ in range(2):
        patched = client.patch(
            f"/api/v1/responses/{first.json['id']}", json={"secret": first.json["secret"], "comment": "Slow"}
        )
        assert patched.status_code == 200
    rows = conn.execute("SELECT ref, score, comment FROM responses ORDER BY id").fetchall()
    assert [tuple(row) for row in rows] == [(None, 6, "Slow"), ("A-1", 9, None)]


def test_storage_faults_are_told_apart_by_sqlite_code_and_errno():
    def sqlite_error(code: int) -> sqlite3.OperationalError:
        exc = sqlite3.OperationalError("x")
        exc.sqlite_errorcode = code
        return exc

    assert storage.classify_fault(sqlite_error(13)).code == "storage_full"
    assert storage.classify_fault(sqlite_error(8 | 5 << 8)).code == "storage_read_only"  # SQLITE_READONLY_DBMOVED
    assert storage.classify_fault(sqlite_error(5)).code == "storage_busy"
    assert storage.classify_fault(sqlite_error(1)) is None
    assert storage.classify_fault(OSError(errno.ENOSPC, "full")).code == "storage_full"
    assert storage.classify_fault(OSError(errno.EROFS, "read-only")).code == "storage_read_only"
    assert storage.classify_fault(OSError(errno.ECONNRESET, "reset")) is None
