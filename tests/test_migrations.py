"""Migrations: a database made by the release before this one upgrades in place, with nothing lost.

tests/fixtures/anbefal-0.1.0.db was made by release 0.1.0 (every migration of
that release applied) with `anbefal serve --demo`'s data for three touchpoints
and, on top, an answer with a ref, properties and a follow-up note, a
visitor's answer, a user with a login, an API key, a rate-limit counter and a
visitor salt. It is never rewritten: a schema change is a new migration that
this test then runs on it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from collector import create_app, storage

FIXTURE = Path(__file__).parent / "fixtures" / "anbefal-0.1.0.db"
RELEASE_MIGRATIONS = [
    "001_initial",
    "003_admin_response_days",
    "003_admin_sessions",
    "003_admin_comment_indexes",
    "003_admin_open_detractors_by_touchpoint",
    "004_abuse_rate_limit_expiry",
]


@pytest.fixture
def upgraded(tmp_path):
    """The release's database, copied, then opened by today's app (which migrates it)."""
    path = str(tmp_path / "old.db")
    shutil.copyfile(FIXTURE, path)
    before = _dump(path)
    app = create_app({"TESTING": True, "DB": path})
    conn = storage.connect(path)
    yield app, conn, before
    conn.close()
    storage.close_connections()


def _dump(path: str) -> dict[str, list[tuple]]:
    """Every row of every table of the release, sorted (what must survive)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'responses_fts%'"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {table: sorted(conn.execute(f"SELECT * FROM {table}"), key=repr) for table in tables}
    finally:
        conn.close()


def _schema(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
    return {(row[0], " ".join(row[1].split())) for row in rows}


def test_the_fixture_is_the_release_s_own():
    conn = sqlite3.connect(FIXTURE)
    try:
        assert [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")] == RELEASE_MIGRATIONS
        assert conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 92
    finally:
        conn.close()


def test_the_release_s_migrations_keep_their_names_and_order():
    # A database out there recorded these names; renaming one would run it twice.
    assert [name for name, _ in storage.MIGRATIONS][: len(RELEASE_MIGRATIONS)] == RELEASE_MIGRATIONS


def test_upgrade_keeps_every_row(upgraded):
    app, _conn, before = upgraded
    after = _dump(app.config["DB"])
    for table, rows in before.items():
        if table in ("_migrations", "settings"):  # new migrations, a secret key made at start
            assert set(rows) <= set(after[table])
        else:
            # A new column comes last (ALTER TABLE ... ADD COLUMN): the release's columns keep their values.
            width = len(rows[0]) if rows else 0
            assert [row[:width] for row in after[table]] == rows, table


def test_upgrade_applies_only_what_is_new(upgraded):
    app, conn, before = upgraded
    applied = [row[0] for row in conn.execute("SELECT name FROM _migrations")]
    assert sorted(applied) == sorted(name for name, _ in storage.MIGRATIONS)
    assert storage.migrate(conn) == []


def test_upgraded_schema_is_a_new_database_s(upgraded, tmp_path):
    _app, conn, _before = upgraded
    fresh = storage.connect(str(tmp_path / "new.db"))
    try:
        storage.migrate(fresh)
        assert _schema(conn) == _schema(fresh)
    finally:
        fresh.close()


def test_upgraded_data_reads_as_before(upgraded):
    app, conn, _before = upgraded
    checkout = storage.get_touchpoint_by_name(conn, "demo-checkout")
    assert checkout is not None and checkout.origins == ["https://shop.example"]
    assert checkout.question == "How likely?"
    # The per-day counts still add up to the answers, and keep counting.
    assert conn.execute("SELECT SUM(n) FROM response_days").fetchone()[0] == storage.count_responses(conn) == 92
    row = conn.execute("SELECT id FROM responses WHERE ref = 'ORDER-1'").fetchone()
    answer = storage.get_response(conn, row[0])
    assert answer["properties"] == {"segment": "business", "store": "Oslo"}
    assert answer["followup_status"] == "contacted" and answer["followup_note"] == "Called, will refund"
    # The full-text index of the release finds its comments.
    page = storage.list_responses(conn, search=storage.fts_query("parcel æøå"))
    assert [r["ref"] for r in page.rows] == ["ORDER-1"]
    storage.insert_response(conn, checkout.id, 10, ref="ORDER-2")
    assert conn.execute("SELECT SUM(n) FROM response_days").fetchone()[0] == 93
    assert storage.get_user_by_email(conn, "demo@example.com") is not None
    assert [key.name for key in storage.list_api_keys(conn)] == ["helpdesk"]
    # Keys made before scopes existed made links, and still do (only that).
    assert [key.scopes for key in storage.list_api_keys(conn)] == [("links",)]


def test_upgraded_database_keeps_its_secret_key(upgraded):
    app, conn, _before = upgraded
    stored = conn.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()
    # The release was run with ANBEFAL_SECRET_KEY set, so no key was stored; today's app makes one now.
    assert stored is not None and app.config["SECRET_KEY"] == stored[0]
