"""Group commit: the answers that arrive together share one commit."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from .connection import Connection, transaction, writers_turn
from .faults import classify


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
            except Exception as exc:
                if conn.in_transaction:  # a failed COMMIT leaves it open
                    conn.execute("ROLLBACK")
                if classify(exc) is not None:
                    # A full disk or a lock held elsewhere fails each write
                    # alike: trying each alone would only wait longer.
                    for item in group:
                        item.error, item.done = exc, True
                    return
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


def write_answer(conn: sqlite3.Connection, write: Callable[[sqlite3.Connection], Any], one_statement: bool) -> Any:
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
