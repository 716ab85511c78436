"""Keeping the database: backups, forgetting a customer, retention and the hourly turn."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass

from .connection import transaction, writers_turn
from .rollups import ROLLUPS, roll_up


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


class BackupError(ValueError):
    """A backup that cannot be made; the message says why, for people."""


@dataclass(frozen=True)
class Backup:
    path: str
    responses: int
    size: int  # bytes


def backup_to(conn: sqlite3.Connection, source: str, target: str, *, force: bool = False) -> Backup:
    """Copy the live database at *source* (open as *conn*) to the file *target* and check the copy.

    Safe while the server runs: the copy is one consistent snapshot, and
    answers keep arriving meanwhile. *target* is only replaced once the copy
    has passed SQLite's integrity check.
    """
    shown, target = target, os.path.abspath(target)
    if target == os.path.abspath(source):
        raise BackupError("PATH is the database itself; give the backup a path of its own")
    if os.path.isdir(target):
        raise BackupError(f"{shown} is a directory; give the backup file's name, e.g. {shown}/anbefal.db")
    if os.path.exists(target) and not force:
        raise BackupError(f"{shown} exists already; add --force to overwrite it")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise BackupError(f"the folder {folder} does not exist")
    fd, temporary = tempfile.mkstemp(prefix=".anbefal-backup-", suffix=".db", dir=folder)
    os.close(fd)
    os.unlink(temporary)  # VACUUM INTO writes only to a file that does not exist yet
    try:
        backup_database(conn, temporary)
        problems = check_integrity(temporary)
        if problems != ["ok"]:
            raise BackupError("the copy failed its integrity check:\n" + "\n".join(problems[:20]))
        responses = count_responses_in(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return Backup(target, responses, os.path.getsize(target))


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
                # A month that ended but is not rolled up yet may hold what
                # the deletes took from it (-1 for a value): made afresh first.
                roll_up(conn)
                _drop_empty_counts(conn)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.execute("PRAGMA secure_delete = OFF")
    return deleted


def _drop_empty_counts(conn: sqlite3.Connection) -> None:
    # Days first: deleting a day of an ended month touches its month's row.
    for rollup in ROLLUPS:
        for table in (rollup.days, rollup.months):
            conn.execute(f"DELETE FROM {table} WHERE {' AND '.join(f'{c} = 0' for c in rollup.sums)}")


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
