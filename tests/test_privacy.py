"""Backups of a live database, forgetting a customer, retention, and the
hourly clean-up that one worker runs for all."""

from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest
from conftest import LiveServer, visitor_salt_days

from collector import create_app, privacy, storage, visitors
from collector.cli import main
from collector.tokens import Tokens

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
LONG_AGO = "2020-01-01T00:00:00Z"


def file_bytes(db: str) -> bytes:
    """The database file and its WAL, as they lie on disk."""
    data = b""
    for path in (db, db + "-wal"):
        if os.path.exists(path):
            data += Path(path).read_bytes()
    return data


# -- backup -------------------------------------------------------------------


def test_backup_copies_and_checks(runner, conn, make_touchpoint, tmp_path):
    tp = make_touchpoint("checkout")
    for n in range(5):
        storage.insert_response(conn, tp.id, 9, ref=f"order-{n}", comment="fine")
    target = tmp_path / "backups" / "anbefal-copy.db"
    target.parent.mkdir()
    result = runner.invoke(main, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "5 responses" in result.output and "Integrity check of the copy: ok." in result.output
    assert storage.check_integrity(str(target)) == ["ok"]
    assert storage.count_responses_in(str(target)) == 5
    assert os.listdir(target.parent) == ["anbefal-copy.db"]  # no temporary file left behind


def test_backup_refuses_to_overwrite_without_force(runner, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"an older backup")
    result = runner.invoke(main, ["backup", str(target)])
    assert result.exit_code != 0
    assert "exists already; add --force to overwrite it" in result.output
    assert target.read_bytes() == b"an older backup"
    result = runner.invoke(main, ["backup", "--force", str(target)])
    assert result.exit_code == 0, result.output
    assert storage.check_integrity(str(target)) == ["ok"]


def test_backup_explains_impossible_targets(app, runner, tmp_path):
    cases = {
        app.config["DB"]: "the database itself",
        str(tmp_path / "no-such-folder" / "copy.db"): "does not exist",
    }
    for target, message in cases.items():
        result = runner.invoke(main, ["backup", target])
        assert result.exit_code != 0 and message in result.output, result.output
    (tmp_path / "a-folder").mkdir()
    result = runner.invoke(main, ["backup", str(tmp_path / "a-folder")])
    assert result.exit_code != 0 and "directory" in result.output


@pytest.mark.slow
def test_backup_of_a_live_server_taking_answers_is_consistent_and_restores(tmp_path):
    # A steady stream from one address: the rate limits are off, as for a load test.
    live_server = LiveServer(str(tmp_path / "live.db"), tmp_path, env={"ANBEFAL_RATELIMIT": "off"}).start()
    try:
        check_backup_while_answers_arrive(live_server, tmp_path)
    finally:
        live_server.stop()


def check_backup_while_answers_arrive(live_server: LiveServer, tmp_path: Path) -> None:
    live_conn = storage.connect(live_server.db)
    tp = storage.insert_touchpoint(live_conn, "checkout")
    live_conn.close()
    token = Tokens(["live-test-key"]).make_embed_token(tp.id)
    acknowledged: list[str] = []
    stop = threading.Event()

    def post_answers() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            body = json.dumps({"token": token, "score": n % 11, "ref": f"order-{n}"}).encode()
            request = urllib.request.Request(
                live_server.url + "/api/v1/responses",
                data=body,
                headers={"Content-Type": "application/json", "User-Agent": CHROME},
            )
            with urllib.request.urlopen(request, timeout=10) as reply:
                if reply.status == 201:
                    acknowledged.append(f"order-{n}")

    writer = threading.Thread(target=post_answers, daemon=True)
    writer.start()
    while len(acknowledged) < 20:
        writer.join(0.05)
        assert writer.is_alive(), live_server.read_log()
    before = len(acknowledged)
    app = create_app({"DB": live_server.db, "SECRET_KEY": "live-test-key"})
    target = tmp_path / "live-copy.db"
    result = app.test_cli_runner().invoke(main, ["backup", str(target)])
    after = len(acknowledged)
    stop.set()
    writer.join(10)
    assert result.exit_code == 0, result.output
    assert storage.check_integrity(str(target)) == ["ok"]
    copied = storage.count_responses_in(str(target))
    assert before <= copied <= after + 8  # a snapshot taken while answers kept arriving
    # Restore: the copy, put in place of a database, is a working database.
    restored = tmp_path / "restored.db"
    shutil.copy(target, restored)
    restored_app = create_app({"TESTING": True, "DB": str(restored), "SECRET_KEY": "live-test-key"})
    health = restored_app.test_client().get("/healthz")
    assert health.status_code == 200
    check = storage.connect(str(restored))
    assert storage.count_responses(check) == copied
    check.close()
    storage.close_connections()


# -- forget -------------------------------------------------------------------


@pytest.fixture
def customers(conn, make_touchpoint):
    checkout, support = make_touchpoint("checkout"), make_touchpoint("support")
    storage.insert_response(conn, checkout.id, 2, ref="C-42", comment="Zanzibarquux parcel never came")
    storage.insert_response(conn, support.id, 4, ref="C-42", comment="Nobody called back about zanzibarquux")
    storage.insert_response(conn, checkout.id, 9, ref="C-7", comment="All good")
    storage.insert_response(conn, checkout.id, 10, comment="Lovely")
    return checkout, support


def refs(conn) -> list:
    return sorted(row[0] or "" for row in conn.execute("SELECT ref FROM responses"))


def test_forget_deletes_every_answer_of_the_customer_and_every_trace(app, runner, conn, customers):
    result = runner.invoke(main, ["forget", "--ref", "C-42"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 responses with ref 'C-42' from every touchpoint." in result.output
    assert refs(conn) == ["", "C-7"]
    found = conn.execute("SELECT COUNT(*) FROM responses_fts WHERE responses_fts MATCH 'zanzibarquux'").fetchone()
    assert found[0] == 0
    assert b"anzibarquux" not in file_bytes(app.config["DB"])  # not in freed pages, the index or the WAL


def test_forget_on_one_touchpoint(runner, conn, customers):
    result = runner.invoke(main, ["forget", "--ref", "C-42", "--touchpoint", "support"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 response with ref 'C-42' from touchpoint 'support'." in result.output
    assert refs(conn) == ["", "C-42", "C-7"]


def test_forget_says_when_there_is_nothing(runner, conn, customers):
    result = runner.invoke(main, ["forget", "--ref", "C-999"])
    assert result.exit_code == 0
    assert "No responses with ref 'C-999' on every touchpoint; nothing deleted." in result.output
    result = runner.invoke(main, ["forget", "--ref", "C-42", "--touchpoint", "nowhere"])
    assert result.exit_code != 0 and "no touchpoint called 'nowhere'" in result.output
    assert len(refs(conn)) == 4


def test_forget_needs_a_ref(runner):
    result = runner.invoke(main, ["forget"])
    assert result.exit_code != 0 and "--ref" in result.output


# -- retention ------------------------------------------------------------------


@pytest.fixture
def ages(conn, make_touchpoint):
    tp = make_touchpoint("checkout")
    storage.insert_response(conn, tp.id, 3, ref="old-1", comment="Oldquuxword", created_at=LONG_AGO)
    storage.insert_response(conn, tp.id, 5, ref="old-2", created_at=privacy.cutoff(31))
    storage.insert_response(conn, tp.id, 9, ref="new-1")
    storage.insert_response(conn, tp.id, 8, ref="new-2", created_at=privacy.cutoff(29))
    return tp


def test_retention_command_deletes_older_answers(app, runner, conn, ages):
    result = runner.invoke(main, ["retention", "--days", "30", "--dry-run"])
    assert result.exit_code == 0 and "2 responses are older than 30 days" in result.output
    assert len(refs(conn)) == 4
    result = runner.invoke(main, ["retention", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 responses older than 30 days" in result.output
    assert refs(conn) == ["new-1", "new-2"]
    assert b"Oldquuxword" not in file_bytes(app.config["DB"])


def test_retention_command_uses_the_setting(db_path, conn, ages):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key", "RETENTION_DAYS": "30"})
    result = app.test_cli_runner().invoke(main, ["retention"])
    assert result.exit_code == 0 and "Deleted 2 responses older than 30 days" in result.output


def test_retention_command_without_a_period_explains(runner, conn, ages):
    result = runner.invoke(main, ["retention"])
    assert result.exit_code != 0
    assert "ANBEFAL_RETENTION_DAYS is not set; give --days N" in result.output
    assert len(refs(conn)) == 4


@pytest.mark.parametrize("value", [-3, "a month", "1.5", True])
def test_a_bad_retention_setting_stops_the_app(db_path, value):
    with pytest.raises(ValueError, match="ANBEFAL_RETENTION_DAYS"):
        create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "RETENTION_DAYS": value})


@pytest.fixture
def fresh_look(monkeypatch):
    """Let this worker look whose turn the clean-up is on the next response."""
    monkeypatch.setattr(privacy, "_next_look", 0.0)


def test_the_server_applies_retention_once_an_hour(db_path, conn, ages, fresh_look, monkeypatch):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key", "RETENTION_DAYS": 30})
    client = app.test_client()
    reply = client.get("/healthz")
    assert reply.status_code == 200
    reply.close()  # as a WSGI server does once the answer is sent: the clean-up runs then
    assert refs(conn) == ["new-1", "new-2"]
    # Within the hour, no worker runs it again, even when it looks.
    storage.insert_response(conn, ages.id, 1, ref="old-3", created_at=LONG_AGO)
    monkeypatch.setattr(privacy, "_next_look", 0.0)
    client.get("/healthz").close()
    assert "old-3" in refs(conn)
    # An hour after the last run, the next look runs it.
    stamp = conn.execute("SELECT value FROM settings WHERE key = 'maintenance_at'").fetchone()[0]
    conn.execute("UPDATE settings SET value = ? WHERE key = 'maintenance_at'", (str(int(stamp) - 3600),))
    monkeypatch.setattr(privacy, "_next_look", 0.0)
    client.get("/healthz").close()
    assert refs(conn) == ["new-1", "new-2"]
    storage.close_connections()


@pytest.mark.slow
def test_a_gunicorn_worker_runs_the_clean_up_after_answering(tmp_path):
    db = str(tmp_path / "live.db")
    create_app({"DB": db, "SECRET_KEY": "live-test-key"})
    conn = storage.connect(db)
    tp = storage.insert_touchpoint(conn, "checkout")
    storage.insert_response(conn, tp.id, 3, ref="old", created_at=LONG_AGO)
    storage.insert_response(conn, tp.id, 9, ref="new")
    server = LiveServer(db, tmp_path, env={"ANBEFAL_RETENTION_DAYS": "30"}).start()
    try:
        for _ in range(100):  # start() has had its answer; the clean-up follows it
            if refs(conn) == ["new"]:
                break
            threading.Event().wait(0.05)
        assert refs(conn) == ["new"], server.read_log()
    finally:
        server.stop()
        conn.close()


def test_without_retention_the_server_keeps_every_answer(app, client, conn, ages, fresh_look):
    client.get("/healthz").close()
    assert len(refs(conn)) == 4


def test_the_clean_up_forgets_visitors_after_two_days(app, client, conn, make_touchpoint, monkeypatch):
    tp = make_touchpoint("checkout")
    old = storage.insert_response(conn, tp.id, 7, visitor="a" * 32, created_at=privacy.cutoff(3))
    recent = storage.insert_response(conn, tp.id, 7, visitor="b" * 32)
    monkeypatch.setattr(visitors, "today", lambda: "2026-03-05")
    for day in ("2026-03-01", "2026-03-03", "2026-03-04", "2026-03-05"):
        storage.get_or_create_setting(conn, f"visitor_salt:{day}", lambda: "salt")
    done = privacy.clean_up(conn, None)
    assert (done.responses, done.visitor_salts, done.visitor_hashes) == (0, 2, 1)
    assert storage.get_response(conn, old)["visitor"] is None
    assert storage.get_response(conn, recent)["visitor"] == "b" * 32
    assert visitor_salt_days(conn) == ["2026-03-04", "2026-03-05"]


# -- the README documents all of it ---------------------------------------------

ABUSE_AND_PRIVACY_SETTINGS = [
    "RATELIMIT",
    "RATELIMIT_WRITES",
    "RATELIMIT_READS",
    "RATELIMIT_LINK_API",
    "BOT_FILTER",
    "DEDUP_WINDOW",
    "PROXIES",
    "RETENTION_DAYS",
]


def test_the_readme_documents_these_settings_and_commands():
    from collector.settings import DEFAULTS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name in ABUSE_AND_PRIVACY_SETTINGS:
        assert name in DEFAULTS
        assert f"| `ANBEFAL_{name}` | `" in readme, name
    for command in ("backup", "forget", "retention"):
        assert command in main.commands
        assert f"| `anbefal {command} " in readme, command
    for heading in ("### Rotating the secret key", "### Durability", "### Backup and restore", "Litestream"):
        assert heading in readme, heading
    assert "synchronous=FULL" in readme
