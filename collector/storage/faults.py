"""Storage faults told apart in one place: a full disk, a read-only
database, and a database busy past the timeout.

Every part that answers someone (the API, the pages, the command line, the
health check) asks `classify` what an error from the storage means; an
error it does not know stays an unexpected one.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """What a storage fault is called in an answer, what it means, and when to try again."""

    code: str
    message: str
    retry_after: int
    # What an operator does about it: said in the log and on the command line.
    remedy: str


FULL = Fault(
    "storage_full",
    "the server's disk is full, so nothing can be stored now",
    30,
    "free space on the disk that holds the database",
)
READ_ONLY = Fault(
    "storage_read_only",
    "the database is read-only, so nothing can be stored now",
    30,
    "make the database file, its folder and its file system writable for the server",
)
BUSY = Fault(
    "storage_busy",
    "the database is busy, so nothing could be stored in time",
    5,
    "another program holds the database's write lock (a long backup or a command); wait until it is done",
)

FAULTS = (FULL, READ_ONLY, BUSY)

# By SQLite's primary result code (the extended code's low byte):
# SQLITE_FULL, SQLITE_READONLY (and its kinds), SQLITE_BUSY and SQLITE_LOCKED.
_BY_SQLITE_CODE = {13: FULL, 8: READ_ONLY, 5: BUSY, 6: BUSY}
# The lock file and the WAL are written by the operating system's calls too.
_BY_ERRNO = {errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EROFS: READ_ONLY}


def classify(exc: BaseException) -> Fault | None:
    """Return the storage fault *exc* is, or None when it is none of them."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return _BY_SQLITE_CODE.get(code & 0xFF) if isinstance(code, int) else None
    if isinstance(exc, OSError):
        return _BY_ERRNO.get(exc.errno)  # type: ignore[arg-type]
    return None
