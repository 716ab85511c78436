"""Storing answers: the widget's, a survey link's and a visitor's, and changing them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from ..timestamps import utcnow
from .connection import transaction, writers_turn
from .drivers import RATINGS_JSON, write_ratings
from .filters import FOLLOWUP_STATUSES
from .group_commit import write_answer
from .mail import assignee_sql, due_sql

# A detractor's assignee and deadline are written with the answer (see
# mail_schema); an answer that becomes a detractor's keeps any it had.
_KEEP_ASSIGNMENT = """
        followup_assignee = COALESCE(responses.followup_assignee, excluded.followup_assignee),
        followup_due_at = COALESCE(responses.followup_due_at, excluded.followup_due_at)"""

_UPSERT_RESPONSE = f"""
    INSERT INTO responses (touchpoint_id, score, comment, ref, channel, locale, page,
                           properties, visitor, created_at, updated_at, verified, followup_assignee, followup_due_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
            {assignee_sql("?2", "?1")}, {due_sql("?2", "?1", "?11")})
    ON CONFLICT (touchpoint_id, ref) WHERE ref IS NOT NULL DO UPDATE SET
        score = excluded.score,
        comment = excluded.comment,
        channel = excluded.channel,
        locale = excluded.locale,
        page = excluded.page,
        properties = excluded.properties,
        updated_at = excluded.updated_at,
        verified = excluded.verified,{_KEEP_ASSIGNMENT}
    RETURNING id
"""


# An answer changed (by its visitor, or its comment added) keeps its
# assignment, or gets one when its new score is a detractor's.
def _assign_on_update(score: str, since: str) -> str:
    """SQL SET items for an UPDATE to an answer's new *score*, at *since*."""
    new_score = f"COALESCE({score}, score)"
    return (
        f"followup_assignee = COALESCE(followup_assignee, {assignee_sql(new_score, 'touchpoint_id')}),"
        f" followup_due_at = COALESCE(followup_due_at, {due_sql(new_score, 'touchpoint_id', since)})"
    )


def properties_json(properties: dict[str, str] | None) -> str:
    """How an answer's properties are stored. One form for every writer: the
    admin's property filters look for a key and value as stored (see
    ResponseFilter) before they parse any JSON."""
    return json.dumps(properties or {}, ensure_ascii=False, sort_keys=True)


def _upsert_returning_id(
    conn: sqlite3.Connection, sql: str, params: tuple, ratings: dict[int, int] | None = None
) -> int:
    """Run an answer's upsert (one statement, RETURNING id) and return the id, once committed;
    with driver *ratings*, they are stored in the same commit (two statements, then)."""
    if not ratings:
        return write_answer(conn, lambda c: c.execute(sql, params).fetchall()[0][0], one_statement=True)

    def write(c: sqlite3.Connection) -> int:
        response_id = c.execute(sql, params).fetchall()[0][0]
        write_ratings(c, response_id, ratings)
        return response_id

    return write_answer(conn, write, one_statement=False)


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
    verified: bool = False,
    ratings: dict[int, int] | None = None,
) -> int:
    """Store an answer (and its driver *ratings*, {slot: 1-5}) and return its id.

    With a ref, the same touchpoint and ref keep one response: a later answer
    replaces the score and comment of the earlier one (and keeps its id).
    It is one atomic statement; outside a transaction it is committed before
    this returns, with the answers that arrive together (write_answer).
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
        properties_json(properties),
        visitor,
        created_at or now,
        created_at or now,
        int(verified),
    )
    return _upsert_returning_id(conn, _UPSERT_RESPONSE, params, ratings)


def update_response(
    conn: sqlite3.Connection,
    response_id: int,
    *,
    score: int | None = None,
    comment: str | None = None,
    ratings: dict[int, int] | None = None,
) -> bool:
    """Change the score, comment and/or driver *ratings* ({slot: 1-5}) of a
    response; False when it is gone. Committed before it returns, as an
    answer is (see write_answer)."""
    params = (score, comment, utcnow(), response_id)

    def write(c: sqlite3.Connection) -> bool:
        cur = c.execute(
            f"""
            UPDATE responses SET
                score = COALESCE(?1, score),
                comment = COALESCE(?2, comment),
                updated_at = ?3,
                {_assign_on_update("?1", "?3")}
            WHERE id = ?4
            """,
            params,
        )
        if cur.rowcount == 1 and ratings:
            write_ratings(c, response_id, ratings)
        return cur.rowcount == 1

    return write_answer(conn, write, one_statement=not ratings)


def get_response(conn: sqlite3.Connection, response_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        f"""
        SELECT r.*, t.name AS touchpoint, {RATINGS_JSON} AS drivers
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        WHERE r.id = ?
        """,
        (response_id,),
    ).fetchone()
    if row is None:
        return None
    data = dict(row)
    data["properties"] = json.loads(data["properties"])
    data["drivers"] = json.loads(data["drivers"] or "{}")
    return data


def count_responses(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


_UPSERT_LINK_RESPONSE = f"""
    INSERT INTO responses (touchpoint_id, score, comment, ref, channel, locale, created_at, updated_at,
                           followup_assignee, followup_due_at)
    VALUES (?1, ?2, ?3, ?4, 'link', ?5, ?6, ?7, {assignee_sql("?2", "?1")}, {due_sql("?2", "?1", "?7")})
    ON CONFLICT (touchpoint_id, ref) WHERE ref IS NOT NULL DO UPDATE SET
        score = excluded.score,
        comment = COALESCE(excluded.comment, responses.comment),
        channel = 'link',
        locale = excluded.locale,
        updated_at = excluded.updated_at,{_KEEP_ASSIGNMENT}
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
    ratings: dict[int, int] | None = None,
) -> int:
    """Store the answer given through a survey link (with its driver *ratings*) and return its id.

    One response per touchpoint and ref: a later score replaces the earlier
    one. A comment replaces the earlier comment, but a score sent alone (as
    the page does the moment a person acts on it) keeps it.
    """
    now = utcnow()
    params = (touchpoint_id, score, comment, ref, locale, now, now)
    return _upsert_returning_id(conn, _UPSERT_LINK_RESPONSE, params, ratings)


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
    verified: bool = False,
    ratings: dict[int, int] | None = None,
) -> int:
    """Store an answer without a ref from *visitor* (with its driver *ratings*) and return its id.

    When the same visitor answered the same touchpoint (without a ref) at or
    after *since*, that row takes the new answer, as a ref's row does: a
    burst of answers from one visitor counts once, and the last one wins.
    """
    stored_properties = properties_json(properties)

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
                verified=verified,
                ratings=ratings,
            )
        c.execute(
            f"""
            UPDATE responses SET score = ?1, comment = ?2, channel = ?3, locale = ?4, page = ?5, properties = ?6,
                                 updated_at = ?7, verified = ?8, {_assign_on_update("?1", "?7")}
            WHERE id = ?9
            """,
            (score, comment, channel, locale, page, stored_properties, utcnow(), int(verified), row[0]),
        )
        write_ratings(c, row[0], ratings or {})
        return row[0]

    # Two statements: alone, in a transaction of its own.
    return write_answer(conn, write, one_statement=False)


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
            f"""
            INSERT INTO responses (touchpoint_id, score, comment, ref, channel, locale, page, properties,
                                   created_at, updated_at, followup_status, followup_note, followup_by, followup_at,
                                   followup_assignee, followup_due_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13,
                    {assignee_sql("?2", "?1")}, {due_sql("?2", "?1", "?9")})
            """,
            counting(),
        )
    return counted[0]


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
