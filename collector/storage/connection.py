"""Connections to the database, and the writers' turn they queue on.

Every worker (process and thread) opens its own connection; writers take
turns on a lock file beside the database, so a commit never waits on
SQLite's polling busy handler.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from . import themes

# synchronous=FULL: in WAL mode a commit is fsynced to the WAL before the
# client gets its 2xx, so an acknowledged answer survives a killed process
# and a power loss alike. NORMAL would survive only the former.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)
# How long a write waits for a lock held outside the writers' queue (a
# backup, a command) before it fails with SQLITE_BUSY; ANBEFAL_BUSY_TIMEOUT.
BUSY_TIMEOUT_MS = 10000


_local = threading.local()


class Connection(sqlite3.Connection):
    """A SQLite connection that knows the lock file its writers queue on."""

    lock_path: str | None = None
    lock_fd: int | None = None
    turns_held: int = 0
    generation: int = 0

    def close(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None
        super().close()


Record = TypeVar("Record")


def from_row(record: type[Record], row: sqlite3.Row) -> Record:
    """A dataclass *record* made from the row's columns of the same names."""
    fields: dict[str, Any] = record.__dataclass_fields__  # type: ignore[attr-defined]
    return record(**{name: row[name] for name in fields})


def connect(path: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open a new connection with Anbefal's pragmas (autocommit mode)."""
    conn = sqlite3.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False, factory=Connection
    )
    if path and path != ":memory:" and not path.startswith("file:"):
        conn.lock_path = path + "-lock"
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    # The SQL function the triggers that store a comment's words call.
    themes.register(conn)
    return conn


def get_connection(path: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Return this thread's connection to *path*, opening it on first use.

    The connection is keyed by process id so that a connection opened before
    a fork is never reused by a child: every worker opens its own.
    """
    key = (os.getpid(), path)
    conns: dict = getattr(_local, "conns", None) or {}
    _local.conns = conns
    conn = conns.get(key)
    if conn is not None and conn.generation != _generation:
        conn.close()
        conn = None
    if conn is None:
        conn = conns[key] = connect(path, busy_timeout_ms)
        conn.generation = _generation
    return conn


# Bumped by reopen_connections(): a connection opened before is closed and
# opened afresh at its next use, in whichever thread holds it.
_generation = 0


def reopen_connections() -> None:
    """Have every thread open its connections afresh at their next use.

    A connection that SQLite opened read-only (its file system was) stays
    read-only even once the file is writable again; a new one writes.
    """
    global _generation
    _generation += 1


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


def is_reachable(conn: sqlite3.Connection) -> bool:
    """Return True when the database answers a trivial query."""
    try:
        return conn.execute("SELECT 1").fetchone()[0] == 1
    except sqlite3.Error:
        return False
