"""Every SQL statement Anbefal runs, behind named functions.

Views, the CLI and the benchmarks call these functions and never write SQL
themselves, so the schema and its queries can be read (and changed) in one
place.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

# synchronous=FULL: in WAL mode a commit is fsynced to the WAL before the
# client gets its 2xx, so an acknowledged answer survives a killed process
# and a power loss alike. NORMAL would survive only the former.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


def utcnow() -> str:
    """Return the current time as ISO 8601 UTC with second precision."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# Connections
# --------------------------------------------------------------------------

_local = threading.local()


class Connection(sqlite3.Connection):
    """A SQLite connection that knows the lock file its writers queue on."""

    lock_path: str | None = None
    lock_fd: int | None = None
    turns_held: int = 0

    def close(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None
        super().close()


def connect(path: str) -> sqlite3.Connection:
    """Open a new connection with Anbefal's pragmas (autocommit mode)."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False, factory=Connection)
    if path and path != ":memory:" and not path.startswith("file:"):
        conn.lock_path = path + "-lock"
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def get_connection(path: str) -> sqlite3.Connection:
    """Return this thread's connection to *path*, opening it on first use.

    The connection is keyed by process id so that a connection opened before
    a fork is never reused by a child: every worker opens its own.
    """
    key = (os.getpid(), path)
    conns: dict = getattr(_local, "conns", None) or {}
    _local.conns = conns
    conn = conns.get(key)
    if conn is None:
        conn = conns[key] = connect(path)
    return conn


def close_connections() -> None:
    """Close every connection this thread holds."""
    conns: dict = getattr(_local, "conns", None) or {}
    for conn in conns.values():
        conn.close()
    conns.clear()


@contextmanager
def transaction(conn: sqlite3.Connection, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """Run a short transaction; IMMEDIATE takes the write lock up front so a
    read followed by a write cannot fail half-way with SQLITE_BUSY."""
    with writers_turn(conn) if immediate else _no_turn():
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")


@contextmanager
def writers_turn(conn: sqlite3.Connection) -> Iterator[None]:
    """Queue for the write lock on a lock file beside the database.

    transaction() takes this turn itself. Alone, it is for one write
    statement in autocommit mode, which SQLite makes atomic by itself: one
    round trip instead of three, which matters while the others queue.

    SQLite's own wait for a busy database polls with sleeps of up to 100 ms,
    so with several workers and threads writing at once some requests wait
    far longer than the write takes. Writers that queue on flock() are woken
    by the kernel as soon as the previous one is done; SQLite's busy timeout
    still covers writers outside this queue (a CLI command, a backup).
    """
    if not isinstance(conn, Connection):
        yield
        return
    if conn.turns_held:  # a write inside a transaction that has the turn already
        conn.turns_held += 1
        try:
            yield
        finally:
            conn.turns_held -= 1
        return
    fd = _lock_fd(conn)
    if fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without flock(): rely on SQLite's busy timeout alone
            _give_up_lock_file(conn)
            fd = None
    conn.turns_held = 1
    try:
        yield
    finally:
        conn.turns_held = 0
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
    if not conn.in_transaction:
        return
    # A statement left half-read would hold its transaction open past the turn.
    raise RuntimeError("a write statement was left open; read its result to the end")


@contextmanager
def _no_turn() -> Iterator[None]:
    yield


def _give_up_lock_file(conn: Connection) -> None:
    if conn.lock_fd is not None:
        os.close(conn.lock_fd)
    conn.lock_fd = None
    conn.lock_path = None


def _lock_fd(conn: sqlite3.Connection) -> int | None:
    """Open the connection's lock file on first use; None where it cannot be."""
    if not isinstance(conn, Connection) or conn.lock_path is None:
        return None
    if conn.lock_fd is None:
        try:
            # Its own open file per connection: flock() then also queues the
            # threads of one process, which share nothing else.
            conn.lock_fd = os.open(conn.lock_path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            conn.lock_path = None  # a read-only folder: rely on SQLite's busy timeout alone
            return None
    return conn.lock_fd


# --------------------------------------------------------------------------
# Group commit
# --------------------------------------------------------------------------


class _Pending:
    """One write waiting for its group's commit."""

    __slots__ = ("write", "one_statement", "done", "value", "error")

    def __init__(self, write: Callable[[sqlite3.Connection], Any], one_statement: bool) -> None:
        self.write = write
        self.one_statement = one_statement
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class GroupCommitter:
    """Commits the answers that arrive together in one transaction.

    Every commit waits for an fsync of the WAL, and the answers of every
    thread of every worker take turns for it (writers_turn). Under load, the
    answers that queue in one process while a commit is under way are
    written by the next one together: one turn and one fsync for all of
    them instead of one each. The first waiting thread leads that commit on
    its own connection; the others wait for it. Each caller still returns
    only after the commit that holds its answer, so acknowledged stays
    durable. With nothing else waiting an answer is committed alone and at
    once: no timer holds anything back.
    """

    MAX_GROUP = 64

    def __init__(self) -> None:
        self.waiting: deque[_Pending] = deque()
        self.changed = threading.Condition()
        self.leading = False

    def run(self, conn: sqlite3.Connection, write: Callable[[sqlite3.Connection], Any], one_statement: bool) -> Any:
        """Run *write* (given the connection it is to use) in a group; return
        what it returned, once committed. *one_statement*: it runs a single
        write statement, atomic without a transaction of its own when alone."""
        item = _Pending(write, one_statement)
        with self.changed:
            self.waiting.append(item)
            while self.leading and not item.done:
                self.changed.wait()
            if item.done:
                return item.result()
            self.leading = True
        try:
            while not item.done:
                with self.changed:
                    group = [self.waiting.popleft() for _ in range(min(len(self.waiting), self.MAX_GROUP))]
                try:
                    _commit_group(conn, group)
                finally:
                    with self.changed:
                        self.changed.notify_all()
        finally:
            with self.changed:
                self.leading = False
                self.changed.notify_all()  # whoever still waits leads the next group
        return item.result()


def _commit_group(conn: sqlite3.Connection, group: list[_Pending]) -> None:
    """Commit *group*, marking each write done with its value or its error."""
    try:
        if len(group) > 1:
            try:
                with transaction(conn):
                    for item in group:
                        item.value = item.write(conn)
            except Exception:
                if conn.in_transaction:  # a failed COMMIT leaves it open
                    conn.execute("ROLLBACK")
                # One bad write must not fail the others: each again, alone.
            else:
                for item in group:
                    item.done = True
                return
        for item in group:
            try:
                item.value = _write_alone(conn, item.write, item.one_statement)
            except Exception as exc:
                item.error = exc
            item.done = True
    except BaseException as exc:  # nobody may wait for ever on a group that failed
        for item in group:
            if not item.done:
                item.error, item.done = exc, True
        raise


def _write_alone(conn: sqlite3.Connection, write: Callable[[sqlite3.Connection], Any], one_statement: bool) -> Any:
    if one_statement:
        # One round trip instead of three (BEGIN, the write, COMMIT), which
        # matters while the others queue; the write must read its statement
        # to the end, so that it has committed when the turn ends.
        with writers_turn(conn):
            return write(conn)
    with transaction(conn):
        return write(conn)


def _write_answer(conn: sqlite3.Connection, write: Callable[[sqlite3.Connection], Any], one_statement: bool) -> Any:
    """Run *write* on *conn*'s database and commit it, grouped with the
    answers that arrive together when it can be (see GroupCommitter).

    Inside a transaction of the caller's, *write* runs in it, and commits
    with it.
    """
    committer = group_committer(conn)
    if committer is not None:
        return committer.run(conn, write, one_statement)
    return _write_alone(conn, write, one_statement or conn.in_transaction)


_committers: dict[tuple[int, str], GroupCommitter] = {}
_committers_lock = threading.Lock()


def group_committer(conn: sqlite3.Connection) -> GroupCommitter | None:
    """The committer for *conn*'s database, or None when *conn* writes alone
    (inside a transaction, or a database without a lock file)."""
    if not isinstance(conn, Connection) or conn.lock_path is None or conn.turns_held or conn.in_transaction:
        return None
    key = (os.getpid(), conn.lock_path)  # keyed by process: a forked worker starts afresh
    committer = _committers.get(key)
    if committer is None:
        with _committers_lock:
            committer = _committers.setdefault(key, GroupCommitter())
    return committer


# --------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # AUTOINCREMENT: a deleted touchpoint's id is never reused, so an old
    # snippet can never start feeding a newer touchpoint.
    db.execute(
        """
        CREATE TABLE touchpoints (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            question TEXT,
            language TEXT,
            origins TEXT NOT NULL DEFAULT '[]',
            target_nps INTEGER,
            sample_rate REAL NOT NULL DEFAULT 1.0,
            repeat_days INTEGER NOT NULL DEFAULT 90,
            followup_detractor TEXT,
            followup_passive TEXT,
            followup_promoter TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            touchpoint_id INTEGER NOT NULL REFERENCES touchpoints(id) ON DELETE CASCADE,
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
            comment TEXT,
            ref TEXT,
            channel TEXT NOT NULL DEFAULT 'widget',
            locale TEXT,
            page TEXT,
            properties TEXT NOT NULL DEFAULT '{}',
            visitor TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            followup_status TEXT,
            followup_note TEXT,
            followup_by TEXT,
            followup_at TEXT
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX responses_touchpoint_ref ON responses (touchpoint_id, ref) WHERE ref IS NOT NULL")
    db.execute("CREATE INDEX responses_touchpoint_created ON responses (touchpoint_id, created_at)")
    db.execute("CREATE INDEX responses_created ON responses (created_at)")
    db.execute(
        "CREATE INDEX responses_visitor ON responses (touchpoint_id, visitor, created_at) WHERE visitor IS NOT NULL"
    )
    db["responses"].enable_fts(["comment"], create_triggers=True, tokenize="unicode61")
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_login_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE api_keys (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE rate_limits (
            key TEXT PRIMARY KEY,
            window_start INTEGER NOT NULL,
            count INTEGER NOT NULL
        )
        """
    )


# Applied in order, each once, recorded by name. Append new migrations at the
# end with a new name; never edit one that has shipped.
MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_initial", _m001_initial),
    # Survey links: append migrations below.
    # (end of that part)
    #
    # Admin: append migrations below.
    # (lambdas: the steps are defined with the admin's queries further down)
    ("003_admin_response_days", lambda db: _m003_admin_response_days(db)),
    ("003_admin_sessions", lambda db: _m003_admin_sessions(db)),
    ("003_admin_comment_indexes", lambda db: _m003_admin_comment_indexes(db)),
    ("003_admin_open_detractors_by_touchpoint", lambda db: _m003_admin_open_detractors_by_touchpoint(db)),
    # (end of that part)
    #
    # Abuse and privacy: append migrations below.
    ("004_abuse_rate_limit_expiry", lambda db: _m004_abuse_rate_limit_expiry(db)),
    # (end of that part)
    #
]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations; safe to run from several processes at once."""
    db = sqlite_utils.Database(conn)
    applied_now = []
    with transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(db)
            conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, utcnow()))
            applied_now.append(name)
    return applied_now


def is_reachable(conn: sqlite3.Connection) -> bool:
    """Return True when the database answers a trivial query."""
    try:
        return conn.execute("SELECT 1").fetchone()[0] == 1
    except sqlite3.Error:
        return False


# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------


def get_or_create_setting(conn: sqlite3.Connection, key: str, make: Callable[[], str]) -> str:
    """Return a stored setting, storing *make()* first if it is missing.

    INSERT OR IGNORE then SELECT: when several workers start at once, the
    first insert wins and every worker reads that same value.
    """
    conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, make()))
    return conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0]


def get_or_create_secret_key(conn: sqlite3.Connection) -> str:
    """Return the database's own secret key, made once on first use."""
    return get_or_create_setting(conn, "secret_key", lambda: secrets.token_urlsafe(48))


# --------------------------------------------------------------------------
# Touchpoints
# --------------------------------------------------------------------------

TOUCHPOINT_FIELDS = (
    "question",
    "language",
    "origins",
    "target_nps",
    "sample_rate",
    "repeat_days",
    "followup_detractor",
    "followup_passive",
    "followup_promoter",
)


@dataclass
class Touchpoint:
    id: int
    name: str
    question: str | None
    language: str | None
    origins: list[str]
    target_nps: int | None
    sample_rate: float
    repeat_days: int
    followup_detractor: str | None
    followup_passive: str | None
    followup_promoter: str | None
    created_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Touchpoint:
        data = dict(row)
        data["origins"] = json.loads(data["origins"] or "[]")
        return cls(**data)


class DuplicateName(ValueError):
    """A touchpoint with that name exists already."""


def _touchpoint_values(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TOUCHPOINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown touchpoint fields: {sorted(unknown)}")
    values = dict(fields)
    if "origins" in values:
        values["origins"] = json.dumps(list(values["origins"] or []))
    return values


def insert_touchpoint(conn: sqlite3.Connection, name: str, **fields: Any) -> Touchpoint:
    """Create a touchpoint and return it."""
    values = _touchpoint_values(fields)
    values["name"] = name
    values["created_at"] = utcnow()
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    try:
        cur = conn.execute(f"INSERT INTO touchpoints ({columns}) VALUES ({marks})", tuple(values.values()))
    except sqlite3.IntegrityError as exc:
        raise DuplicateName(name) from exc
    found = get_touchpoint(conn, cur.lastrowid)
    assert found is not None
    return found


def update_touchpoint(conn: sqlite3.Connection, touchpoint_id: int, **fields: Any) -> Touchpoint | None:
    """Change some fields of a touchpoint (name included) and return it."""
    name = fields.pop("name", None)
    values = _touchpoint_values(fields)
    if name is not None:
        values["name"] = name
    if values:
        assignments = ", ".join(f"{column} = ?" for column in values)
        try:
            conn.execute(
                f"UPDATE touchpoints SET {assignments} WHERE id = ?",
                (*values.values(), touchpoint_id),
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateName(name or "") from exc
    return get_touchpoint(conn, touchpoint_id)


_TOUCHPOINT_BY_ID = "SELECT * FROM touchpoints WHERE id = ?"


def get_touchpoint(conn: sqlite3.Connection, touchpoint_id: int) -> Touchpoint | None:
    row = conn.execute(_TOUCHPOINT_BY_ID, (touchpoint_id,)).fetchone()
    return Touchpoint.from_row(row) if row else None


# Every answer reads its touchpoint. The row is read each time, so an edited
# touchpoint (its origins, say) counts at once, but turning the same values
# into a Touchpoint again (JSON, dataclass) is skipped: equal rows share one,
# per process, which callers only read.
_SHARED_TOUCHPOINTS: dict[tuple, Touchpoint] = {}


def get_touchpoint_shared(conn: sqlite3.Connection, touchpoint_id: int) -> Touchpoint | None:
    """Like get_touchpoint, for callers that never change what they get."""
    row = conn.execute(_TOUCHPOINT_BY_ID, (touchpoint_id,)).fetchone()
    if row is None:
        return None
    values = tuple(row)
    touchpoint = _SHARED_TOUCHPOINTS.get(values)
    if touchpoint is None:
        if len(_SHARED_TOUCHPOINTS) >= 256:
            _SHARED_TOUCHPOINTS.clear()  # old versions of edited touchpoints; a site has a handful
        touchpoint = _SHARED_TOUCHPOINTS[values] = Touchpoint.from_row(row)
    return touchpoint


def get_touchpoint_by_name(conn: sqlite3.Connection, name: str) -> Touchpoint | None:
    row = conn.execute("SELECT * FROM touchpoints WHERE name = ?", (name,)).fetchone()
    return Touchpoint.from_row(row) if row else None


def list_touchpoints(conn: sqlite3.Connection) -> list[Touchpoint]:
    rows = conn.execute("SELECT * FROM touchpoints ORDER BY name").fetchall()
    return [Touchpoint.from_row(row) for row in rows]


# --------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------


_UPSERT_RESPONSE = """
    INSERT INTO responses (touchpoint_id, score, comment, ref, channel, locale, page,
                           properties, visitor, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (touchpoint_id, ref) WHERE ref IS NOT NULL DO UPDATE SET
        score = excluded.score,
        comment = excluded.comment,
        channel = excluded.channel,
        locale = excluded.locale,
        page = excluded.page,
        properties = excluded.properties,
        updated_at = excluded.updated_at
    RETURNING id
"""


def _properties_json(properties: dict[str, str] | None) -> str:
    """How an answer's properties are stored. One form for every writer: the
    admin's property filters look for a key and value as stored (see
    ResponseFilter) before they parse any JSON."""
    return json.dumps(properties or {}, ensure_ascii=False, sort_keys=True)


def _upsert_returning_id(conn: sqlite3.Connection, sql: str, params: tuple) -> int:
    """Run an answer's upsert (one statement, RETURNING id) and return the id, once committed."""
    return _write_answer(conn, lambda c: c.execute(sql, params).fetchall()[0][0], one_statement=True)


def insert_response(
    conn: sqlite3.Connection,
    touchpoint_id: int,
    score: int,
    *,
    comment: str | None = None,
    ref: str | None = None,
    channel: str = "widget",
    locale: str | None = None,
    page: str | None = None,
    properties: dict[str, str] | None = None,
    visitor: str | None = None,
    created_at: str | None = None,
) -> int:
    """Store an answer and return its id.

    With a ref, the same touchpoint and ref keep one response: a later answer
    replaces the score and comment of the earlier one (and keeps its id).
    It is one atomic statement; outside a transaction it is committed before
    this returns, with the answers that arrive together (_write_answer).
    """
    now = utcnow()
    params = (
        touchpoint_id,
        score,
        comment,
        ref,
        channel,
        locale,
        page,
        _properties_json(properties),
        visitor,
        created_at or now,
        created_at or now,
    )
    return _upsert_returning_id(conn, _UPSERT_RESPONSE, params)


def update_response(
    conn: sqlite3.Connection, response_id: int, *, score: int | None = None, comment: str | None = None
) -> bool:
    """Change the score and/or comment of a response; False when it is gone.
    Committed before it returns, as an answer is (see _write_answer)."""
    params = (score, comment, utcnow(), response_id)

    def write(c: sqlite3.Connection) -> bool:
        cur = c.execute(
            """
            UPDATE responses SET
                score = COALESCE(?, score),
                comment = COALESCE(?, comment),
                updated_at = ?
            WHERE id = ?
            """,
            params,
        )
        return cur.rowcount == 1

    return _write_answer(conn, write, one_statement=True)


def get_response(conn: sqlite3.Connection, response_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        """
        SELECT responses.*, touchpoints.name AS touchpoint
        FROM responses JOIN touchpoints ON touchpoints.id = responses.touchpoint_id
        WHERE responses.id = ?
        """,
        (response_id,),
    ).fetchone()
    if row is None:
        return None
    data = dict(row)
    data["properties"] = json.loads(data["properties"])
    return data


def count_responses(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


@dataclass
class ResponseFilter:
    """What a report or export selects; every field is optional."""

    touchpoint_id: int | None = None
    since: str | None = None  # inclusive, YYYY-MM-DD or ISO timestamp
    until: str | None = None  # inclusive day, YYYY-MM-DD
    channel: str | None = None
    properties: dict[str, str] | None = None

    def where(self) -> tuple[str, list[Any]]:
        """Return a SQL WHERE clause (with leading WHERE, or empty) and its params."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.touchpoint_id is not None:
            clauses.append("r.touchpoint_id = ?")
            params.append(self.touchpoint_id)
        if self.since:
            clauses.append("r.created_at >= ?")
            params.append(self.since)
        if self.until:
            # Dates are inclusive: everything before the next day's first second.
            clauses.append("r.created_at < date(?, '+1 day')")
            params.append(self.until)
        if self.channel:
            clauses.append("r.channel = ?")
            params.append(self.channel)
        for key, value in (self.properties or {}).items():
            # Looking for text is far cheaper than parsing JSON. The pair as
            # insert_response writes it ('"key": "value"') can only be that
            # property (a quote inside a JSON string is escaped); else a row
            # can only match if the value's JSON text is in it somewhere.
            pair = json.dumps(key, ensure_ascii=False) + ": " + json.dumps(value, ensure_ascii=False)
            clauses.append(
                "(instr(r.properties, ?) OR ((instr(r.properties, ?) OR instr(r.properties, ?))"
                " AND json_extract(r.properties, '$.' || json_quote(?)) = ?))"
            )
            params.extend([pair, json.dumps(value, ensure_ascii=False), json.dumps(value), key, value])
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def category_counts_by_touchpoint(
    conn: sqlite3.Connection, flt: ResponseFilter | None = None
) -> dict[int, tuple[int, int, int]]:
    """Return {touchpoint_id: (promoters, passives, detractors)}."""
    where, params = (flt or ResponseFilter()).where()
    rows = conn.execute(
        f"""
        SELECT r.touchpoint_id,
               SUM(r.score >= 9), SUM(r.score BETWEEN 7 AND 8), SUM(r.score <= 6)
        FROM responses r {where}
        GROUP BY r.touchpoint_id
        """,
        params,
    ).fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def iter_export_rows(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> Iterator[dict]:
    """Yield responses in id order, one dict each, without loading them all."""
    where, params = (flt or ResponseFilter()).where()
    cur = conn.execute(
        f"""
        SELECT r.id, r.created_at, t.name AS touchpoint, r.score, r.comment, r.ref, r.channel,
               r.locale, r.page, r.properties, r.followup_status, r.followup_note,
               r.followup_by, r.followup_at
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        {where}
        ORDER BY r.id
        """,
        params,
    )
    for row in cur:
        data = dict(row)
        data["properties"] = json.loads(data["properties"])
        yield data


def property_keys(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> list[str]:
    """Return the sorted property keys used by the selected responses."""
    where, params = (flt or ResponseFilter()).where()
    rows = conn.execute(
        f"""
        SELECT DISTINCT j.key
        FROM (SELECT DISTINCT r.properties FROM responses r {where}) p, json_each(p.properties) j
        ORDER BY j.key
        """,
        params,
    ).fetchall()
    return [row[0] for row in rows]


# --------------------------------------------------------------------------
# Survey links and API keys
# --------------------------------------------------------------------------


_UPSERT_LINK_RESPONSE = """
    INSERT INTO responses (touchpoint_id, score, comment, ref, channel, locale, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'link', ?, ?, ?)
    ON CONFLICT (touchpoint_id, ref) WHERE ref IS NOT NULL DO UPDATE SET
        score = excluded.score,
        comment = COALESCE(excluded.comment, responses.comment),
        channel = 'link',
        locale = excluded.locale,
        updated_at = excluded.updated_at
    RETURNING id
"""


def upsert_link_response(
    conn: sqlite3.Connection,
    touchpoint_id: int,
    ref: str,
    score: int,
    *,
    comment: str | None = None,
    locale: str | None = None,
) -> int:
    """Store the answer given through a survey link and return its id.

    One response per touchpoint and ref: a later score replaces the earlier
    one. A comment replaces the earlier comment, but a score sent alone (as
    the page does the moment a person acts on it) keeps it.
    """
    now = utcnow()
    params = (touchpoint_id, score, comment, ref, locale, now, now)
    return _upsert_returning_id(conn, _UPSERT_LINK_RESPONSE, params)


def get_response_by_ref(conn: sqlite3.Connection, touchpoint_id: int, ref: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT id FROM responses WHERE touchpoint_id = ? AND ref = ?", (touchpoint_id, ref)).fetchone()
    return get_response(conn, row[0]) if row else None


@dataclass
class ApiKey:
    id: int
    name: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


def insert_api_key(conn: sqlite3.Connection, name: str, key_hash: str) -> ApiKey:
    """Store a new key's hash; DuplicateName when an active key has that name."""
    with transaction(conn):
        taken = conn.execute("SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL", (name,)).fetchone()
        if taken:
            raise DuplicateName(name)
        cur = conn.execute(
            "INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)", (name, key_hash, utcnow())
        )
        row = conn.execute("SELECT * FROM api_keys WHERE id = ?", (cur.lastrowid,)).fetchone()
    return _api_key(row)


def list_api_keys(conn: sqlite3.Connection) -> list[ApiKey]:
    return [_api_key(row) for row in conn.execute("SELECT * FROM api_keys ORDER BY id")]


def revoke_api_key(conn: sqlite3.Connection, name: str) -> bool:
    """Revoke the active key called *name*; False when there is none."""
    with writers_turn(conn):
        cur = conn.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (utcnow(), name))
    return cur.rowcount > 0


def use_api_key(conn: sqlite3.Connection, key_hash: str) -> ApiKey | None:
    """Return the active key with this hash, noting when it was last used; None if unknown or revoked."""
    with writers_turn(conn):
        row = conn.execute(
            "UPDATE api_keys SET last_used_at = ? WHERE key_hash = ? AND revoked_at IS NULL RETURNING *",
            (utcnow(), key_hash),
        ).fetchall()
    return _api_key(row[0]) if row else None


def _api_key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


# --------------------------------------------------------------------------
# Admin: users and login throttling
# --------------------------------------------------------------------------


def _m003_admin_sessions(db: sqlite_utils.Database) -> None:
    # A login is a row here; the browser's cookie holds only a random token
    # whose SHA-256 is the key, so a copy of the database logs nobody in.
    # Logging out (or removing the user) ends the session on every worker.
    db.execute(
        """
        CREATE TABLE admin_sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX admin_sessions_expires ON admin_sessions (expires_at)")


class DuplicateUser(ValueError):
    """A user with that email exists already."""


@dataclass
class User:
    id: int
    email: str
    password_hash: str
    created_at: str
    last_login_at: str | None


def insert_user(conn: sqlite3.Connection, email: str, password_hash: str) -> User:
    """Create an admin user; emails are unique regardless of case."""
    try:
        with writers_turn(conn):
            cur = conn.execute(
                "INSERT INTO users (email, password_hash, created_at) VALUES (?, ?, ?)",
                (email, password_hash, utcnow()),
            )
    except sqlite3.IntegrityError as exc:
        raise DuplicateUser(email) from exc
    user = get_user(conn, cur.lastrowid)
    assert user is not None
    return user


def set_user_password(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    """Replace a user's password and end every session of theirs."""
    with transaction(conn):
        conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
        conn.execute("DELETE FROM admin_sessions WHERE user_id = ?", (user_id,))


def get_user(conn: sqlite3.Connection, user_id: int) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return User(**dict(row)) if row else None


def get_user_by_email(conn: sqlite3.Connection, email: str) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
    return User(**dict(row)) if row else None


def list_users(conn: sqlite3.Connection) -> list[User]:
    return [User(**dict(row)) for row in conn.execute("SELECT * FROM users ORDER BY email")]


def delete_user(conn: sqlite3.Connection, email: str) -> bool:
    """Remove a user (and with it their sessions); False when there is none."""
    with writers_turn(conn):
        cur = conn.execute("DELETE FROM users WHERE email = ?", (email,))
    return cur.rowcount == 1


def start_admin_session(conn: sqlite3.Connection, token_hash: str, user_id: int, lifetime_seconds: int) -> None:
    """Record a new login, note it on the user and drop sessions that have expired."""
    now = datetime.now(UTC)
    expires = (now + timedelta(seconds=lifetime_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    with transaction(conn):
        conn.execute("DELETE FROM admin_sessions WHERE expires_at <= ?", (stamp,))
        conn.execute(
            "INSERT INTO admin_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token_hash, user_id, stamp, expires),
        )
        conn.execute("UPDATE users SET last_login_at = ? WHERE id = ?", (stamp, user_id))


def user_for_admin_session(conn: sqlite3.Connection, token_hash: str) -> User | None:
    """Return the user logged in with this session, or None when it is unknown or expired."""
    row = conn.execute(
        """
        SELECT u.* FROM admin_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ? AND s.expires_at > ?
        """,
        (token_hash, utcnow()),
    ).fetchone()
    return User(**dict(row)) if row else None


def end_admin_session(conn: sqlite3.Connection, token_hash: str) -> None:
    with writers_turn(conn):
        conn.execute("DELETE FROM admin_sessions WHERE token_hash = ?", (token_hash,))


def rate_limit_count(conn: sqlite3.Connection, key: str, now: int) -> int:
    """Return the hits counted on a rate limit *key* in its current window, without counting one.

    The login throttle looks before it counts: only failed logins are
    counted (with collector.ratelimit.hit), but every attempt is checked.
    """
    row = conn.execute("SELECT count FROM rate_limits WHERE key = ? AND expires_at > ?", (key, now)).fetchone()
    return row[0] if row else 0


def clear_rate_limit(conn: sqlite3.Connection, key: str) -> None:
    with writers_turn(conn):
        conn.execute("DELETE FROM rate_limits WHERE key = ?", (key,))


# --------------------------------------------------------------------------
# Admin: statistics, comments and follow-up
# --------------------------------------------------------------------------

# The overview's figures. response_days keeps the number of answers per day,
# touchpoint, channel and score, kept up to date by triggers on responses (so
# it is right whoever inserts, amends or deletes an answer): the overview adds
# up a few thousand of its rows instead of scanning a million answers. Only
# filters on properties need the answers themselves.


def _m003_admin_response_days(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE response_days (
            day TEXT NOT NULL,
            touchpoint_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            score INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (day, touchpoint_id, channel, score)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        INSERT INTO response_days (day, touchpoint_id, channel, score, n)
        SELECT substr(created_at, 1, 10), touchpoint_id, channel, score, COUNT(*)
        FROM responses GROUP BY 1, 2, 3, 4
        """
    )
    increment = """
        INSERT INTO response_days (day, touchpoint_id, channel, score, n)
        VALUES (substr(new.created_at, 1, 10), new.touchpoint_id, new.channel, new.score, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    """
    decrement = """
        UPDATE response_days SET n = n - 1
        WHERE day = substr(old.created_at, 1, 10) AND touchpoint_id = old.touchpoint_id
          AND channel = old.channel AND score = old.score;
    """
    db.execute(f"CREATE TRIGGER response_days_insert AFTER INSERT ON responses BEGIN {increment} END")
    db.execute(f"CREATE TRIGGER response_days_delete AFTER DELETE ON responses BEGIN {decrement} END")
    db.execute(
        "CREATE TRIGGER response_days_update AFTER UPDATE OF score, channel, created_at, touchpoint_id ON responses "
        f"BEGIN {decrement} {increment} END"
    )


# How the overview's trend groups days: the first day of the week (Monday)
# or of the month, as text.
_BUCKETS = {
    "day": "day",
    "week": "date(day, 'weekday 0', '-6 days')",
    "month": "substr(day, 1, 7) || '-01'",
}


def score_counts_by_period(
    conn: sqlite3.Connection, flt: ResponseFilter | None = None, interval: str = "day", before: str | None = None
) -> list[tuple[int, str | None, int, int]]:
    """Return (touchpoint_id, first day of the day/week/month, score, count)
    for the selected responses; days before *before* (YYYY-MM-DD) are added
    up into one period whose first day is None."""
    flt = flt or ResponseFilter()
    bucket = _BUCKETS[interval]
    select_params: list[Any] = []
    if before:
        bucket = f"CASE WHEN day < ? THEN NULL ELSE {bucket} END"
        select_params.append(before)
    if flt.properties or (flt.since and len(flt.since) != 10):
        # Only the answers themselves know their properties.
        where, params = flt.where()
        # Grouped by day first: the week or month is then worked out once per
        # day, not once per answer.
        source = f"""(SELECT r.touchpoint_id, substr(r.created_at, 1, 10) AS day, r.score, COUNT(*) AS n
                      FROM responses r {where} GROUP BY day, r.touchpoint_id, r.score)"""
    else:
        clauses, params = [], []
        for clause, value in (
            ("touchpoint_id = ?", flt.touchpoint_id),
            ("day >= ?", flt.since),
            ("day <= ?", flt.until),
            ("channel = ?", flt.channel),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        source = "response_days" + ((" WHERE " + " AND ".join(clauses)) if clauses else "")
    rows = conn.execute(
        f"""
        SELECT touchpoint_id, {bucket} AS bucket, score, SUM(n) AS count
        FROM {source}
        GROUP BY touchpoint_id, bucket, score HAVING count > 0
        """,
        [*select_params, *params],
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def breakdown_counts(
    conn: sqlite3.Connection, key: str, flt: ResponseFilter | None = None
) -> dict[str | None, tuple[int, int, int]]:
    """Return {value of property *key* (None where unset): (promoters, passives, detractors)}."""
    where, params = (flt or ResponseFilter()).where()
    rows = conn.execute(
        f"""
        SELECT json_extract(r.properties, '$.' || json_quote(?)) AS value,
               SUM(r.score >= 9), SUM(r.score BETWEEN 7 AND 8), SUM(r.score <= 6)
        FROM responses r {where}
        GROUP BY value
        """,
        [key, *params],
    ).fetchall()
    return {(None if row[0] is None else str(row[0])): (row[1], row[2], row[3]) for row in rows}


def insert_responses_bulk(conn: sqlite3.Connection, rows: Iterable[tuple]) -> int:
    """Insert many responses in one transaction and return how many (for
    benchmarks and imports). Each row is (touchpoint_id, score, comment, ref,
    channel, locale, page, properties JSON, created_at, followup_status,
    followup_note, followup_by, followup_at); updated_at is created_at."""
    counted = [0]

    def counting() -> Iterator[tuple]:
        for row in rows:
            counted[0] += 1
            yield row

    with transaction(conn):
        conn.executemany(
            """
            INSERT INTO responses (touchpoint_id, score, comment, ref, channel, locale, page, properties,
                                   created_at, updated_at, followup_status, followup_note, followup_by, followup_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13)
            """,
            counting(),
        )
    return counted[0]


def _m003_admin_open_detractors_by_touchpoint(db: sqlite_utils.Database) -> None:
    # The overview counts open detractors per touchpoint (and channel) over a
    # date range: with these columns in the index it never reads the rows.
    db.execute(
        "CREATE INDEX responses_open_detractors_by_touchpoint ON responses (created_at, touchpoint_id, channel)"
        " WHERE score <= 6 AND followup_status IS NULL"
    )


def open_detractors_by_touchpoint(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> dict[int, int]:
    """Return {touchpoint_id: detractors nobody has followed up yet} in one pass."""
    where, params = (flt or ResponseFilter()).where()
    clauses = [where.removeprefix("WHERE ")] if where else []
    clauses.append(_FOLLOWUP_CLAUSES["open"])
    rows = conn.execute(
        # SQLite's planner prefers the follow-up list's index, which lacks the touchpoint.
        "SELECT r.touchpoint_id, COUNT(*) FROM responses r INDEXED BY responses_open_detractors_by_touchpoint"
        f" WHERE {' AND '.join(clauses)} GROUP BY r.touchpoint_id",
        params,
    ).fetchall()
    return {row[0]: row[1] for row in rows}


# A cell that starts with one of these is run as a formula by Excel,
# LibreOffice or Google Sheets (tab, CR and LF too, as some skip past them):
# = + - @ tab CR LF, as Unicode code points.
FORMULA_STARTS = (61, 43, 45, 64, 9, 13, 10)


def inert_sql(expression: str) -> str:
    """Return SQL that gives the text of *expression* made inert for
    spreadsheets: a leading apostrophe where it starts like a formula
    (OWASP's advice). Every export of responses goes through this."""
    starts = ", ".join(str(code) for code in FORMULA_STARTS)
    return f"CASE WHEN unicode({expression}) IN ({starts}) THEN '''' || {expression} ELSE {expression} END"


def iter_export_cells(
    conn: sqlite3.Connection, flt: ResponseFilter | None, property_keys: list[str], followup: bool = False
) -> Iterator[tuple]:
    """Yield the cells of a CSV export of the selected responses, in id order:
    id, created_at, touchpoint, score, category, comment, ref, channel,
    locale, page, [followup_status, followup_note, followup_by, followup_at,]
    then one value per property key; "" for what is missing.

    Every cell that people wrote (touchpoint name, comment, ref, locale, page,
    note, who, property values) is made inert for spreadsheets. SQLite does
    the whole row, so a million rows cost seconds, not minutes, and the
    cursor streams them: memory stays the same whatever the size.
    """
    where, params = (flt or ResponseFilter()).where()

    def text(column: str) -> str:
        return inert_sql(f"COALESCE({column}, '')")

    cells = [
        "r.id",
        "r.created_at",
        text("t.name"),
        "r.score",
        "CASE WHEN r.score >= 9 THEN 'promoter' WHEN r.score >= 7 THEN 'passive' ELSE 'detractor' END",
        text("r.comment"),
        text("r.ref"),
        "r.channel",
        text("r.locale"),
        text("r.page"),
    ]
    if followup:
        cells += ["COALESCE(r.followup_status, '')", text("r.followup_note"), text("r.followup_by")]
        cells += ["COALESCE(r.followup_at, '')"]
    key_params: list[str] = []
    for key in property_keys:
        cells.append(text("json_extract(r.properties, ?)"))
        # The path three times: inert_sql repeats its expression.
        key_params += ["$." + json.dumps(key)] * 3
    cur = conn.cursor()
    cur.row_factory = None
    cur.execute(
        f"""
        SELECT {", ".join(cells)}
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        {where}
        ORDER BY r.id
        """,
        [*key_params, *params],
    )
    while rows := cur.fetchmany(1000):
        yield from rows


def analyse(conn: sqlite3.Connection) -> None:
    """Refresh the query planner's statistics (after a bulk load)."""
    conn.execute("ANALYZE")


def recent_property_keys(conn: sqlite3.Connection, latest: int = 20000) -> list[str]:
    """Return the sorted property keys used by the *latest* responses.

    For the filter form's choices: reading every response's properties would
    take seconds on a large database; keys in use show up among recent ones.
    """
    rows = conn.execute(
        """
        SELECT DISTINCT j.key
        FROM (SELECT properties FROM responses ORDER BY id DESC LIMIT ?) r, json_each(r.properties) j
        ORDER BY j.key
        """,
        (latest,),
    ).fetchall()
    return [row[0] for row in rows]


def _m003_admin_comment_indexes(db: sqlite_utils.Database) -> None:
    # Partial indexes in the order the pages read: the comments page walks
    # only responses with a comment, the follow-up view only detractors nobody
    # has followed up yet, both newest first, a page at a time.
    db.execute("CREATE INDEX responses_commented ON responses (created_at, id) WHERE comment IS NOT NULL")
    db.execute(
        "CREATE INDEX responses_open_detractors ON responses (created_at, id)"
        " WHERE score <= 6 AND followup_status IS NULL"
    )
    db.execute(
        "CREATE INDEX responses_followed_up ON responses (followup_status, created_at, id)"
        " WHERE followup_status IS NOT NULL"
    )


FOLLOWUP_STATUSES = ("contacted", "resolved")
# What the follow-up view selects: open = detractors nobody has followed up.
FOLLOWUP_VIEWS = ("open", "contacted", "resolved")
_CATEGORY_CLAUSES = {
    "detractor": "r.score <= 6",
    "passive": "r.score BETWEEN 7 AND 8",
    "promoter": "r.score >= 9",
}
_FOLLOWUP_CLAUSES = {
    # Written exactly as the partial index's WHERE, so SQLite uses it.
    "open": "r.score <= 6 AND r.followup_status IS NULL",
    "contacted": "r.followup_status = 'contacted'",
    "resolved": "r.followup_status = 'resolved'",
}


@dataclass(frozen=True)
class Cursor:
    """A position in a newest-first list: keyset pagination, no OFFSET."""

    created_at: str
    id: int

    def encode(self) -> str:
        return f"{self.created_at}~{self.id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """Return the cursor in *value*, or None when it is missing or malformed."""
        if not value or "~" not in value:
            return None
        from .params import whole_number

        created_at, _, raw_id = value.rpartition("~")
        found = whole_number(raw_id)
        if found is None or not 0 < len(created_at) <= 40:
            return None
        return cls(created_at, found)


@dataclass
class ResponsePage:
    rows: list[dict[str, Any]]
    newer: Cursor | None  # pass as after= for the page before this one
    older: Cursor | None  # pass as before= for the page after this one


def fts_query(text: str) -> str | None:
    """Return an FTS5 query that finds every word of *text* (as a prefix), or
    None when it has no words.

    Each word is quoted as a string, so what people type (quotes, AND, NEAR,
    *, -, parentheses) is searched for, never read as query syntax.
    """
    words = re.findall(r"\w+", text)
    if not words:
        return None
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words[:20])


def list_responses(
    conn: sqlite3.Connection,
    flt: ResponseFilter | None = None,
    *,
    category: str | None = None,
    search: str | None = None,
    commented: bool = False,
    followup: str | None = None,
    before: Cursor | None = None,
    after: Cursor | None = None,
    limit: int = 50,
) -> ResponsePage:
    """Return one page of responses, newest first.

    *search* is an FTS5 query (see fts_query). *before* returns the page that
    follows an older-than cursor, *after* the page just newer than it.
    """
    where, params = (flt or ResponseFilter()).where()
    clauses = [where.removeprefix("WHERE ")] if where else []
    if commented:
        clauses.append("r.comment IS NOT NULL")
    if category:
        clauses.append(_CATEGORY_CLAUSES[category])
    if followup:
        clauses.append(_FOLLOWUP_CLAUSES[followup])
    if search is not None:
        # Two plans for one result. A rare word: fetch its few matches and
        # sort them. A common one: walk the newest-first index and stop at a
        # page's worth, checking each row against the matches (the unary +
        # keeps SQLite from driving by the match list instead).
        common = _fts_matches_at_least(conn, search, SEARCH_WALK_FROM)
        clauses.append(
            ("+" if common else "") + "r.id IN (SELECT rowid FROM responses_fts WHERE responses_fts MATCH ?)"
        )
        params.append(search)
    order = "DESC"
    if after is not None:
        clauses.append("(r.created_at, r.id) > (?, ?)")
        params.extend([after.created_at, after.id])
        order = "ASC"
    elif before is not None:
        clauses.append("(r.created_at, r.id) < (?, ?)")
        params.extend([before.created_at, before.id])
    sql_where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = conn.execute(
        f"""
        SELECT r.id, r.created_at, r.touchpoint_id, t.name AS touchpoint, r.score, r.comment, r.ref,
               r.channel, r.locale, r.page, r.properties, r.followup_status, r.followup_note,
               r.followup_by, r.followup_at
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        {sql_where}
        ORDER BY r.created_at {order}, r.id {order}
        LIMIT ?
        """,
        [*params, limit + 1],
    ).fetchall()
    more = len(rows) > limit
    items = [dict(row) for row in rows[:limit]]
    for item in items:
        item["properties"] = json.loads(item["properties"])
    if after is not None:
        items.reverse()
        has_newer, has_older = more, True
    else:
        has_newer, has_older = before is not None, more
    first, last = (items[0], items[-1]) if items else (None, None)
    return ResponsePage(
        rows=items,
        newer=Cursor(first["created_at"], first["id"]) if first and has_newer else None,
        older=Cursor(last["created_at"], last["id"]) if last and has_older else None,
    )


# From this many full-text matches on, the comments page walks its index
# instead of sorting the matches: on 1,000,000 answers either plan then takes
# a few milliseconds.
SEARCH_WALK_FROM = 2000


def _fts_matches_at_least(conn: sqlite3.Connection, search: str, count: int) -> bool:
    found = conn.execute(
        "SELECT COUNT(*) FROM (SELECT rowid FROM responses_fts WHERE responses_fts MATCH ? LIMIT ?)",
        (search, count),
    ).fetchone()[0]
    return found >= count


def count_open_detractors(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> int:
    """Count the detractors that nobody has followed up yet."""
    return count_followup(conn, "open", flt)


def count_followup(conn: sqlite3.Connection, view: str, flt: ResponseFilter | None = None) -> int:
    """Count the responses in one of FOLLOWUP_VIEWS."""
    where, params = (flt or ResponseFilter()).where()
    clauses = [where.removeprefix("WHERE ")] if where else []
    clauses.append(_FOLLOWUP_CLAUSES[view])
    return conn.execute(
        f"SELECT COUNT(*) FROM responses r WHERE {' AND '.join(clauses)}",
        params,
    ).fetchone()[0]


def set_followup(conn: sqlite3.Connection, response_id: int, status: str | None, note: str | None, by: str) -> bool:
    """Record who followed a response up, how far (None: open again) and a note; False when it is gone."""
    if status is not None and status not in FOLLOWUP_STATUSES:
        raise ValueError(f"unknown follow-up status: {status}")
    with writers_turn(conn):
        cur = conn.execute(
            """
            UPDATE responses SET followup_status = ?, followup_note = ?, followup_by = ?, followup_at = ?
            WHERE id = ?
            """,
            (status, note, by, utcnow(), response_id),
        )
    return cur.rowcount == 1


# --------------------------------------------------------------------------
# Abuse and privacy: rate limits, visitors, forget, retention, backup
# --------------------------------------------------------------------------


def _m004_abuse_rate_limit_expiry(db: sqlite_utils.Database) -> None:
    # Each counter knows when its window ends, so one DELETE clears every
    # expired counter whatever window its limit uses.
    db.execute("ALTER TABLE rate_limits ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0")


# A counter whose window has ended starts again at 1; otherwise it counts on.
# One statement: atomic in autocommit mode, one short write per request.
_RATE_LIMIT_HIT = """
    INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES (:key, :now, 1, :now + :window)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN expires_at > :now THEN count + 1 ELSE 1 END,
        window_start = CASE WHEN expires_at > :now THEN window_start ELSE :now END,
        expires_at = CASE WHEN expires_at > :now THEN expires_at ELSE :now + :window END
    RETURNING count, expires_at
"""


def rate_limit_hit(conn: sqlite3.Connection, key: str, window_seconds: int, now: int) -> tuple[int, int]:
    """Count one hit on *key*; return (hits in the current window, the window's end)."""
    with writers_turn(conn):
        # A counter lost to a power cut costs nothing, so this commit skips
        # the fsync that answers get (synchronous=FULL): the WAL is synced by
        # the next answer's commit or checkpoint anyway.
        conn.execute("PRAGMA synchronous = NORMAL")
        try:
            row = conn.execute(_RATE_LIMIT_HIT, {"key": key, "now": now, "window": window_seconds}).fetchall()[0]
        finally:
            conn.execute("PRAGMA synchronous = FULL")
    return row[0], row[1]


def delete_expired_rate_limits(conn: sqlite3.Connection, now: int) -> int:
    """Delete counters whose window has ended; return how many."""
    with writers_turn(conn):
        return conn.execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,)).rowcount


def count_rate_limits(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM rate_limits").fetchone()[0]


def utc_seconds_ago(seconds: float) -> str:
    """Return the time *seconds* ago in utcnow()'s format."""
    return datetime.fromtimestamp(datetime.now(UTC).timestamp() - seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def get_or_create_visitor_salt(conn: sqlite3.Connection, day: str, oldest_kept_day: str) -> str:
    """Return the visitor salt of *day* (made at random on first use), and
    delete the salts of days before *oldest_kept_day*."""
    with transaction(conn):
        salt = get_or_create_setting(conn, f"visitor_salt:{day}", lambda: secrets.token_urlsafe(32))
        delete_visitor_salts_before(conn, oldest_kept_day)
    return salt


def delete_visitor_salts_before(conn: sqlite3.Connection, day: str) -> int:
    """Delete the visitor salts of days before *day* (YYYY-MM-DD); return how many."""
    with writers_turn(conn):
        return conn.execute(
            "DELETE FROM settings WHERE key LIKE 'visitor\\_salt:%' ESCAPE '\\' AND key < ?",
            (f"visitor_salt:{day}",),
        ).rowcount


def visitor_salt_days(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT key FROM settings WHERE key LIKE 'visitor\\_salt:%' ESCAPE '\\' ORDER BY key")
    return [row[0].partition(":")[2] for row in rows]


def store_visitor_response(
    conn: sqlite3.Connection,
    touchpoint_id: int,
    score: int,
    *,
    visitor: str,
    since: str,
    comment: str | None = None,
    channel: str = "widget",
    locale: str | None = None,
    page: str | None = None,
    properties: dict[str, str] | None = None,
) -> int:
    """Store an answer without a ref from *visitor* and return its id.

    When the same visitor answered the same touchpoint (without a ref) at or
    after *since*, that row takes the new answer, as a ref's row does: a
    burst of answers from one visitor counts once, and the last one wins.
    """
    properties_json = _properties_json(properties)

    def write(c: sqlite3.Connection) -> int:
        row = c.execute(
            """
            SELECT id FROM responses
            WHERE touchpoint_id = ? AND visitor = ? AND ref IS NULL AND updated_at >= ?
            ORDER BY updated_at DESC, id DESC LIMIT 1
            """,
            (touchpoint_id, visitor, since),
        ).fetchone()
        if row is None:
            return insert_response(
                c,
                touchpoint_id,
                score,
                comment=comment,
                channel=channel,
                locale=locale,
                page=page,
                properties=properties,
                visitor=visitor,
            )
        c.execute(
            """
            UPDATE responses SET score = ?, comment = ?, channel = ?, locale = ?, page = ?, properties = ?,
                                 updated_at = ?
            WHERE id = ?
            """,
            (score, comment, channel, locale, page, properties_json, utcnow(), row[0]),
        )
        return row[0]

    # Two statements: alone, in a transaction of its own.
    return _write_answer(conn, write, one_statement=False)


def clear_visitors_before(conn: sqlite3.Connection, before: str) -> int:
    """Forget which visitor gave the answers last changed before *before*; return how many."""
    with writers_turn(conn):
        return conn.execute(
            "UPDATE responses SET visitor = NULL WHERE visitor IS NOT NULL AND updated_at < ?", (before,)
        ).rowcount


def backup_database(conn: sqlite3.Connection, target: str) -> None:
    """Write a consistent copy of the live database to *target* (a new file).

    VACUUM INTO reads one snapshot (writers carry on meanwhile) and writes
    it compacted, with every page of the copy written afresh.
    """
    conn.execute("VACUUM INTO ?", (target,))


def check_integrity(path: str) -> list[str]:
    """Run PRAGMA integrity_check on the database file at *path*; ["ok"] when sound."""
    checked = sqlite3.connect(path)
    try:
        return [row[0] for row in checked.execute("PRAGMA integrity_check")]
    finally:
        checked.close()


def count_responses_in(path: str) -> int:
    """Count the responses of the database file at *path* (a backup, say)."""
    checked = sqlite3.connect(path)
    try:
        return checked.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    finally:
        checked.close()


ERASE_BATCH = 500


def _erase(conn: sqlite3.Connection, where: str, params: tuple, *, thorough: bool) -> int:
    """Delete the responses matching *where*, in short batches so that
    answers arriving meanwhile wait for one batch at most; return how many.

    secure_delete zeroes the content freed. *thorough* (for the command
    line) also rewrites the full-text index without the deleted words and
    ends with a TRUNCATE checkpoint, which copies the pages into the database
    and empties the WAL that still held their old versions; both take a
    while on a large database, so a worker's hourly run leaves them to
    SQLite's own merges and checkpoints.
    """
    batch = f"DELETE FROM responses WHERE id IN (SELECT id FROM responses WHERE {where} LIMIT {ERASE_BATCH})"
    deleted = 0
    conn.execute("PRAGMA secure_delete = ON")
    try:
        while True:
            with transaction(conn):
                count = conn.execute(batch, params).rowcount
            deleted += count
            if count < ERASE_BATCH:
                break
        if deleted and thorough:
            with transaction(conn):
                conn.execute("INSERT INTO responses_fts (responses_fts) VALUES ('optimize')")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.execute("PRAGMA secure_delete = OFF")
    return deleted


def forget_ref(conn: sqlite3.Connection, ref: str, touchpoint_id: int | None = None) -> int:
    """Delete every trace of the responses with *ref* (on one touchpoint, or
    on all); return how many there were."""
    if touchpoint_id is None:
        return _erase(conn, "ref = ?", (ref,), thorough=True)
    return _erase(conn, "ref = ? AND touchpoint_id = ?", (ref, touchpoint_id), thorough=True)


def count_responses_before(conn: sqlite3.Connection, before: str) -> int:
    return conn.execute("SELECT COUNT(*) FROM responses WHERE created_at < ?", (before,)).fetchone()[0]


def delete_responses_before(conn: sqlite3.Connection, before: str, *, thorough: bool = False) -> int:
    """Delete the responses created before *before* (ISO time); return how many."""
    return _erase(conn, "created_at < ?", (before,), thorough=thorough)


def claim_maintenance(conn: sqlite3.Connection, now: int, every_seconds: int) -> bool:
    """Return True for the one caller (of any worker) whose turn it is to run
    the periodic clean-up: the last run was at least *every_seconds* ago."""
    with writers_turn(conn):
        rows = conn.execute(
            """
            INSERT INTO settings (key, value) VALUES ('maintenance_at', :now)
            ON CONFLICT (key) DO UPDATE SET value = :now WHERE CAST(value AS INTEGER) <= :now - :every
            RETURNING value
            """,
            {"now": str(now), "every": every_seconds},
        ).fetchall()
    return bool(rows)
