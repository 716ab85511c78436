"""The storage module against a real SQLite file."""

from __future__ import annotations

import os
import sqlite3

import pytest

from collector import create_app, storage


@pytest.fixture
def db(tmp_path):
    conn = storage.connect(str(tmp_path / "s.db"))
    storage.migrate(conn)
    yield conn
    conn.close()


def test_migrations_apply_once(tmp_path):
    conn = storage.connect(str(tmp_path / "m.db"))
    assert storage.migrate(conn) == [name for name, _ in storage.MIGRATIONS]
    assert storage.migrate(conn) == []
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"touchpoints", "responses", "responses_fts", "users", "api_keys", "settings"} <= tables


def test_connection_settings(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_connection_is_per_process_and_thread(tmp_path):
    path = str(tmp_path / "c.db")
    first = storage.get_connection(path)
    assert storage.get_connection(path) is first
    storage.close_connections()
    assert storage.get_connection(path) is not first
    storage.close_connections()


def test_secret_key_is_made_once_and_shared(tmp_path):
    path = str(tmp_path / "k.db")
    one = create_app({"DB": path})
    two = create_app({"DB": path})
    assert one.config["SECRET_KEYS"] == two.config["SECRET_KEYS"]
    assert len(one.config["SECRET_KEY"]) >= 32
    conn = storage.connect(path)
    assert conn.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()[0] == one.config["SECRET_KEY"]


def test_configured_keys_win_and_are_a_list(tmp_path):
    app = create_app({"DB": str(tmp_path / "k.db"), "SECRET_KEY": "newest, older ,"})
    assert app.config["SECRET_KEYS"] == ["newest", "older"]
    assert app.config["SECRET_KEY"] == "newest"
    assert app.config["SECRET_KEY_FALLBACKS"] == ["older"]


def test_no_connection_left_open_by_the_factory(tmp_path):
    path = tmp_path / "f.db"
    create_app({"DB": str(path)})
    # Every file descriptor this process holds on the database is closed.
    fd_dir = f"/proc/{os.getpid()}/fd"
    held = [os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir) if _readable(fd_dir, fd)]
    assert not [target for target in held if target.startswith(str(path))]


def _readable(fd_dir, fd):
    try:
        os.readlink(os.path.join(fd_dir, fd))
        return True
    except OSError:
        return False


def test_touchpoint_crud(db):
    tp = storage.insert_touchpoint(db, "checkout", language="da", origins=["https://a.example"], target_nps=40)
    assert tp.origins == ["https://a.example"]
    assert storage.get_touchpoint_by_name(db, "checkout") == tp
    with pytest.raises(storage.DuplicateName):
        storage.insert_touchpoint(db, "checkout")
    updated = storage.update_touchpoint(db, tp.id, name="kasse", repeat_days=30, origins=[])
    assert (updated.name, updated.repeat_days, updated.origins, updated.language) == ("kasse", 30, [], "da")
    assert [t.name for t in storage.list_touchpoints(db)] == ["kasse"]
    with pytest.raises(TypeError):
        storage.insert_touchpoint(db, "x", colour="red")


def test_touchpoint_ids_are_never_reused(db):
    first = storage.insert_touchpoint(db, "a")
    db.execute("DELETE FROM touchpoints WHERE id = ?", (first.id,))
    assert storage.insert_touchpoint(db, "b").id != first.id


def test_response_upsert_by_ref_keeps_id_and_created_at(db):
    tp = storage.insert_touchpoint(db, "support")
    rid = storage.insert_response(db, tp.id, 2, ref="T-9", comment="bad", created_at="2026-01-01T00:00:00Z")
    again = storage.insert_response(db, tp.id, 9, ref="T-9", channel="link")
    assert again == rid
    row = storage.get_response(db, rid)
    assert (row["score"], row["comment"], row["channel"], row["created_at"]) == (
        9,
        None,
        "link",
        "2026-01-01T00:00:00Z",
    )
    assert row["updated_at"] != row["created_at"]


def test_score_is_checked_by_the_database_too(db):
    tp = storage.insert_touchpoint(db, "x")
    with pytest.raises(sqlite3.IntegrityError):
        storage.insert_response(db, tp.id, 11)


def test_responses_go_with_their_touchpoint(db):
    tp = storage.insert_touchpoint(db, "x")
    storage.insert_response(db, tp.id, 5)
    db.execute("DELETE FROM touchpoints WHERE id = ?", (tp.id,))
    assert storage.count_responses(db) == 0


def test_transaction_rolls_back_on_error(db):
    tp = storage.insert_touchpoint(db, "x")
    with pytest.raises(RuntimeError), storage.transaction(db):
        storage.insert_response(db, tp.id, 5)
        raise RuntimeError("boom")
    assert storage.count_responses(db) == 0


def test_comment_search_index_follows_updates(db):
    tp = storage.insert_touchpoint(db, "x")
    rid = storage.insert_response(db, tp.id, 3, comment="leveringen var langsom")
    storage.update_response(db, rid, comment="fakturaen var forkert")
    found = db.execute("SELECT rowid FROM responses_fts WHERE responses_fts MATCH 'fakturaen'").fetchall()
    assert [r[0] for r in found] == [rid]
    assert not db.execute("SELECT rowid FROM responses_fts WHERE responses_fts MATCH 'langsom'").fetchall()


def seed(db):
    a = storage.insert_touchpoint(db, "a")
    b = storage.insert_touchpoint(db, "b")
    data = [
        (a.id, 10, "2026-01-01T10:00:00Z", "widget", {"segment": "b2b"}),
        (a.id, 9, "2026-01-02T23:59:59Z", "link", {"segment": "b2c"}),
        (a.id, 3, "2026-01-03T00:00:00Z", "widget", {"segment": "b2b", "agent": "x"}),
        (b.id, 7, "2026-01-02T12:00:00Z", "widget", {}),
    ]
    for tp, score, when, channel, props in data:
        storage.insert_response(db, tp, score, created_at=when, channel=channel, properties=props)
    return a, b


def test_counts_by_touchpoint_with_filters(db):
    a, b = seed(db)
    assert storage.category_counts_by_touchpoint(db) == {a.id: (2, 0, 1), b.id: (0, 1, 0)}
    until_2nd = storage.ResponseFilter(since="2026-01-02", until="2026-01-02")
    assert storage.category_counts_by_touchpoint(db, until_2nd) == {a.id: (1, 0, 0), b.id: (0, 1, 0)}
    b2b = storage.ResponseFilter(properties={"segment": "b2b"}, channel="widget")
    assert storage.category_counts_by_touchpoint(db, b2b) == {a.id: (1, 0, 1)}


def test_property_filter_is_not_injectable(db):
    seed(db)
    weird = storage.ResponseFilter(properties={"segment') OR 1=1 --": "b2b"})
    assert storage.category_counts_by_touchpoint(db, weird) == {}


def test_export_rows_and_property_keys(db):
    a, _ = seed(db)
    flt = storage.ResponseFilter(touchpoint_id=a.id)
    rows = list(storage.iter_export_rows(db, flt))
    assert [r["score"] for r in rows] == [10, 9, 3]
    assert rows[2]["properties"] == {"segment": "b2b", "agent": "x"}
    assert storage.property_keys(db, flt) == ["agent", "segment"]


# -- writers queue on a lock file (see storage.writers_turn) --------------


def test_writers_from_many_threads_and_connections_all_commit(tmp_path):
    import threading

    path = str(tmp_path / "q.db")
    setup = storage.connect(path)
    storage.migrate(setup)
    tp = storage.insert_touchpoint(setup, "queue")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        conn = storage.connect(path)
        try:
            for i in range(50):
                with storage.transaction(conn):
                    storage.insert_response(conn, tp.id, i % 11, ref=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert storage.count_responses(setup) == 8 * 50
    assert os.path.exists(path + "-lock")
    setup.close()


def test_a_failed_transaction_releases_the_writers_turn(db):
    tp = storage.insert_touchpoint(db, "queue")
    with pytest.raises(sqlite3.IntegrityError):
        with storage.transaction(db):
            storage.insert_response(db, tp.id, 11)  # violates the score CHECK
    # Another connection gets its turn at once (a held flock would block here).
    other = storage.connect(db.execute("PRAGMA database_list").fetchone()[2])
    with storage.transaction(other):
        storage.insert_response(other, tp.id, 5)
    other.close()
    assert storage.count_responses(db) == 1


def test_memory_databases_need_no_lock_file():
    conn = storage.connect(":memory:")
    storage.migrate(conn)
    assert conn.lock_path is None
    conn.close()


def test_insert_response_alone_commits_at_once_and_inside_a_transaction_rolls_back_with_it(db, tmp_path):
    tp = storage.insert_touchpoint(db, "atomic")
    other = storage.connect(db.execute("PRAGMA database_list").fetchone()[2])
    storage.insert_response(db, tp.id, 9, ref="alone")
    assert not db.in_transaction
    assert storage.count_responses(other) == 1
    with pytest.raises(RuntimeError):
        with storage.transaction(db):
            storage.insert_response(db, tp.id, 3, ref="inside")
            raise RuntimeError("undo")
    assert storage.count_responses(other) == 1
    # The turn was given back: another connection can write.
    storage.insert_response(other, tp.id, 5, ref="after")
    assert storage.count_responses(db) == 2
    other.close()


def test_writes_go_on_where_the_file_system_refuses_flock(tmp_path, monkeypatch):
    import fcntl

    conn = storage.connect(str(tmp_path / "nolock.db"))
    storage.migrate(conn)
    tp = storage.insert_touchpoint(conn, "nfs")

    def refuse(fd, operation):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", refuse)
    storage.insert_response(conn, tp.id, 7, ref="still-stored")
    with storage.transaction(conn):
        storage.insert_response(conn, tp.id, 8, ref="also-stored")
    assert storage.count_responses(conn) == 2
    assert conn.lock_path is None
    conn.close()
