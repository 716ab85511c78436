"""Group commit: answers that arrive together are written in one commit.

Each test holds the writers' turn while answers arrive, as a long commit
would, so that they queue behind it; then lets go and looks at which
statements each thread's connection ran.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from collector import storage, timestamps

UPSERT = "INSERT INTO responses ("


@pytest.fixture
def path(tmp_path):
    path = str(tmp_path / "g.db")
    conn = storage.connect(path)
    storage.migrate(conn)
    conn.close()
    return path


def wait_until(check, what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.005)


class Answerer(threading.Thread):
    """A thread with a connection of its own that stores one answer and
    records the statements its connection runs."""

    def __init__(self, path: str, touchpoint_id: int, score: int, ref: str, visitor: str | None = None) -> None:
        super().__init__(daemon=True)
        self.conn = storage.connect(path)
        self.statements: list[str] = []
        self.conn.set_trace_callback(self.statements.append)
        self.touchpoint_id, self.score, self.ref, self.visitor = touchpoint_id, score, ref, visitor
        self.id_: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            if self.visitor is None:
                self.id_ = storage.insert_response(
                    self.conn, self.touchpoint_id, self.score, ref=self.ref, comment=f"comment {self.ref}"
                )
            else:  # an answer without a ref, as the widget sends most
                self.id_ = storage.store_visitor_response(
                    self.conn,
                    self.touchpoint_id,
                    self.score,
                    visitor=self.visitor,
                    since=timestamps.utc_seconds_ago(600),
                    comment=f"comment {self.ref}",
                )
        except BaseException as exc:
            self.error = exc
        finally:
            self.conn.close()

    def ran(self, prefix: str) -> int:
        """How many statements began with *prefix* (SQLite also reports a
        statement again for each trigger it runs)."""
        return sum(1 for statement in self.statements if statement.lstrip().startswith(prefix))


def queue_behind_a_held_turn(path: str, scores: list[int], visitors: list[str | None] | None = None) -> list[Answerer]:
    """Start one answer that leads (and blocks on the held turn), then the
    others, which queue behind it; return all of them once they wait."""
    setup = storage.connect(path)
    touchpoint = storage.insert_touchpoint(setup, "checkout")
    committer = storage.group_committer(setup)
    assert committer is not None
    holder = storage.connect(path)
    visitors = visitors or [None] * len(scores)
    answerers = [
        Answerer(path, touchpoint.id, score, f"R-{n}", visitor)
        for n, (score, visitor) in enumerate(zip(scores, visitors, strict=True))
    ]
    with storage.writers_turn(holder):
        answerers[0].start()
        wait_until(lambda: committer.leading and not committer.waiting, "the first answer leads")
        for answerer in answerers[1:]:
            answerer.start()
        wait_until(lambda: len(committer.waiting) == len(scores) - 1, "the others queue")
    for answerer in answerers:
        answerer.join(10)
        assert not answerer.is_alive()
    holder.close()
    setup.close()
    return answerers


def stored(path: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT COALESCE(ref, comment), id FROM responses").fetchall())
    finally:
        conn.close()


def test_answers_that_queue_together_are_committed_in_one_transaction(path):
    answerers = queue_behind_a_held_turn(path, [9, 10, 3, 7, 8, 0, 6, 5])

    assert all(a.error is None for a in answerers)
    # Every answer is stored once, under the id its caller was given.
    assert stored(path) == {f"R-{n}": a.id_ for n, a in enumerate(answerers)}
    assert len({a.id_ for a in answerers}) == 8
    # The leader wrote its own answer alone; one of the seven that queued
    # wrote all seven in one transaction, and the others ran nothing.
    leader, queued = answerers[0], answerers[1:]
    assert leader.ran(UPSERT) and not leader.ran("BEGIN")
    writers = [a for a in queued if a.ran(UPSERT)]
    assert len(writers) == 1
    assert writers[0].ran("BEGIN IMMEDIATE") == 1 and writers[0].ran("COMMIT") == 1


def test_a_failing_answer_in_a_group_fails_alone(path):
    # A score of 11 breaks the table's CHECK: the group is rolled back and
    # each answer written again on its own, so only that one fails.
    answerers = queue_behind_a_held_turn(path, [9, 10, 11, 7])

    failed = [a for a in answerers if a.error is not None]
    assert [a.ref for a in failed] == ["R-2"]
    assert isinstance(failed[0].error, sqlite3.IntegrityError)
    assert stored(path) == {f"R-{n}": a.id_ for n, a in enumerate(answerers) if n != 2}


def test_many_threads_lose_nothing(path):
    setup = storage.connect(path)
    touchpoint = storage.insert_touchpoint(setup, "checkout")
    setup.close()
    answerers = [Answerer(path, touchpoint.id, n % 11, f"M-{n}") for n in range(40)]
    for answerer in answerers:
        answerer.start()
    for answerer in answerers:
        answerer.join(20)
    assert all(a.error is None for a in answerers)
    assert stored(path) == {f"M-{n}": a.id_ for n, a in enumerate(answerers)}


def test_inside_a_transaction_an_answer_is_written_on_the_callers_connection(path):
    conn = storage.connect(path)
    touchpoint = storage.insert_touchpoint(conn, "checkout")
    with storage.transaction(conn):
        assert storage.group_committer(conn) is None
        storage.insert_response(conn, touchpoint.id, 5, ref="T-1")
        conn.execute("ROLLBACK")  # the caller's own transaction: gone with it
        conn.execute("BEGIN")
    assert stored(path) == {}
    conn.close()


def test_answers_without_a_ref_group_too_and_one_visitor_still_counts_once(path):
    # Two answers from visitor "v1" in the same group: the second finds the
    # first in the group's own transaction and takes its row.
    answerers = queue_behind_a_held_turn(path, [9, 3, 4, 10], ["v0", "v1", "v2", "v1"])

    assert all(a.error is None for a in answerers)
    assert answerers[1].id_ == answerers[3].id_
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT visitor, score, comment FROM responses ORDER BY id").fetchall()
    conn.close()
    assert rows == [("v0", 9, "comment R-0"), ("v1", 10, "comment R-3"), ("v2", 4, "comment R-2")]
    writers = [a for a in answerers[1:] if a.ran("BEGIN IMMEDIATE")]
    assert len(writers) == 1 and writers[0].ran("COMMIT") == 1
