"""Whether a database file can be used at all (checked at start), and
whether answers can be written to it now (the health check's probe)."""

from __future__ import annotations

import os
import sqlite3
from urllib.request import pathname2url

from ..timestamps import utcnow
from .connection import connect

SQLITE_HEADER = b"SQLite format 3\x00"
# SQLITE_CORRUPT and SQLITE_NOTADB: the file is damaged, or not a database.
DAMAGED_CODES = (11, 26)
RESTORE = (
    "Stop the server, move the file (with its -wal and -shm files) aside and copy the newest backup made "
    "by `anbefal backup` to its place (see Backup and restore in the README)."
)


class UnusableDatabase(Exception):
    """The database file is damaged or is not Anbefal's: nothing may start on it."""


def check_usable(path: str) -> None:
    """Raise UnusableDatabase when the file at *path* is not a SQLite
    database, is damaged where SQLite reads first, or holds another
    program's tables and none of Anbefal's. A missing or empty file is
    fine: it becomes a new database."""
    try:
        with open(path, "rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise UnusableDatabase(f"{path} is a folder, not a database file.") from None
    if not header:
        return
    if header != SQLITE_HEADER:
        raise UnusableDatabase(f"{path} is not a SQLite database, so it is not Anbefal's. {RESTORE}")
    try:
        conn = sqlite3.connect(f"file:{pathname2url(path)}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # cannot be opened to look: the server's own connection says why
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise damaged(path, exc) from None
        return  # a lock, say: not this check's business
    finally:
        conn.close()
    ours = "_migrations" in tables
    if tables and not ours:
        others = ", ".join(sorted(tables)[:5])
        raise UnusableDatabase(
            f"{path} is another program's SQLite database (its tables: {others}), not Anbefal's. "
            "Set ANBEFAL_DB to Anbefal's database file, or to a new file's path to start afresh."
        )


def is_damage(exc: BaseException) -> bool:
    """Return True when *exc* says the database file is damaged."""
    return isinstance(exc, sqlite3.DatabaseError) and getattr(exc, "sqlite_errorcode", 0) & 0xFF in DAMAGED_CODES


def damaged(path: str, exc: BaseException) -> UnusableDatabase:
    """The refusal for a database found damaged while it was being read."""
    return UnusableDatabase(f"{path} is damaged ({exc}). {RESTORE}")


PROBE_KEY = "health_probe"


def probe_write(path: str, busy_timeout_ms: int) -> None:
    """Write and commit one small row, as an answer would be: raise what
    writing raises (a full disk, a read-only file, a lock held too long).

    On a connection of its own, opened and closed here, so that a fault
    that has gone (space freed, the file writable again) is seen at once.
    """
    conn = connect(path, busy_timeout_ms=busy_timeout_ms)
    try:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (PROBE_KEY, f"{utcnow()} {os.getpid()}"),
        )
    finally:
        conn.close()
