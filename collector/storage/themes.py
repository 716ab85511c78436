"""The words of each comment, stored as it is written, and counted for themes.

comment_terms holds each comment's terms (see collector.themes.terms): one
row per answer and term, deleted with the answer (forget, retention). The
triggers that keep it call the SQL function anbefal_terms, which every
connection of storage.connect has (register); terms and term_forms are the
vocabulary, with how many comments use each written form of a term, so a
stem is shown as the word people wrote most. A form or term no comment uses
any more is deleted with its last comment.

Counting joins the terms to the answers, so a changed score counts a
comment in its new category at once.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .. import nps
from ..themes.terms import comment_terms_json
from .filters import CATEGORY_CLAUSES, ResponseFilter, where_sql

FUNCTION = "anbefal_terms"


def register(conn: sqlite3.Connection) -> None:
    """Give *conn* the SQL function anbefal_terms(comment, locale) the triggers use."""
    conn.create_function(FUNCTION, 2, comment_terms_json, deterministic=True)


# A comment's language: the answer's locale, else its touchpoint's language.
def _language(row: str) -> str:
    return f"COALESCE({row}.locale, (SELECT language FROM touchpoints WHERE id = {row}.touchpoint_id))"


def _index_sql(row: str, source: str = "", where: str = "") -> str:
    """The three statements that store the terms of *row*'s comment (NEW in a
    trigger, or each row of *source* with *where*)."""
    pairs = f"json_each({FUNCTION}({row}.comment, {_language(row)})) j"
    term = "json_extract(j.value, '$[0]')"
    form = "json_extract(j.value, '$[1]')"
    rows = f"{source}, {pairs}" if source else pairs
    condition = f"WHERE {where}" if where else "WHERE true"
    return f"""
        INSERT INTO terms (term) SELECT {term} FROM {rows} {condition} ON CONFLICT (term) DO NOTHING;
        INSERT INTO term_forms (term_id, form, n)
            SELECT t.id, {form}, 1 FROM {rows} JOIN terms t ON t.term = {term} {condition}
            ON CONFLICT (term_id, form) DO UPDATE SET n = n + 1;
        INSERT INTO comment_terms (response_id, term_id, form_id)
            SELECT {row}.id, t.id, f.id FROM {rows}
            JOIN terms t ON t.term = {term} JOIN term_forms f ON f.term_id = t.id AND f.form = {form} {condition};
    """


def create(conn: sqlite3.Connection) -> None:
    """Create the tables and triggers (the migration's first half)."""
    register(conn)
    conn.execute("CREATE TABLE terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)")
    conn.execute(
        """
        CREATE TABLE term_forms (
            id INTEGER PRIMARY KEY,
            term_id INTEGER NOT NULL,
            form TEXT NOT NULL,
            n INTEGER NOT NULL,
            UNIQUE (term_id, form)
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE comment_terms (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            term_id INTEGER NOT NULL,
            form_id INTEGER NOT NULL,
            PRIMARY KEY (response_id, term_id)
        ) WITHOUT ROWID
        """
    )
    conn.execute(
        """
        CREATE TRIGGER comment_terms_delete AFTER DELETE ON comment_terms BEGIN
            UPDATE term_forms SET n = n - 1 WHERE id = old.form_id;
            DELETE FROM term_forms WHERE id = old.form_id AND n <= 0;
            DELETE FROM terms WHERE id = old.term_id
                AND NOT EXISTS (SELECT 1 FROM term_forms WHERE term_id = old.term_id);
        END
        """
    )
    conn.execute(
        f"CREATE TRIGGER comment_terms_insert AFTER INSERT ON responses WHEN new.comment IS NOT NULL"
        f" BEGIN {_index_sql('new')} END"
    )
    conn.execute(
        "CREATE TRIGGER comment_terms_update AFTER UPDATE OF comment, locale ON responses"
        " WHEN old.comment IS NOT new.comment OR old.locale IS NOT new.locale BEGIN"
        " DELETE FROM comment_terms WHERE response_id = old.id;"
        f" {_index_sql('new', where='new.comment IS NOT NULL')} END"
    )


def rebuild(
    conn: sqlite3.Connection,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 5000,
    after_id: int = 0,
) -> int:
    """Store the terms of every comment stored before the table existed (or
    of the answers after *after_id*, loaded in bulk), a batch of answers at a
    time; return how many comments. *progress* is called with (done, total)
    after each batch."""
    register(conn)
    total = conn.execute("SELECT COUNT(*) FROM responses WHERE id > ? AND comment IS NOT NULL", (after_id,)).fetchone()[
        0
    ]
    last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM responses").fetchone()[0]
    statements = [
        statement
        for statement in _index_sql(
            "r", source="responses r", where="r.id > :low AND r.id <= :high AND r.comment IS NOT NULL"
        ).split(";")
        if statement.strip()
    ]
    done = 0
    low = after_id
    while low < last and total:
        high = low + batch
        for statement in statements:
            conn.execute(statement, {"low": low, "high": high})
        done += conn.execute(
            "SELECT COUNT(*) FROM responses WHERE id > ? AND id <= ? AND comment IS NOT NULL", (low, high)
        ).fetchone()[0]
        low = high
        if progress:
            progress(done, total)
    return total


def print_progress(done: int, total: int) -> None:
    """Show how far the rebuild is on standard error (one line rewritten on a terminal)."""
    text = f"Storing the words of existing comments for themes: {done:,} of {total:,}"
    if sys.stderr.isatty():
        sys.stderr.write("\r" + text + ("\n" if done >= total else ""))
    elif done >= total or done * 10 // total != (done - 1) * 10 // total:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()


@dataclass(frozen=True)
class TermCounts:
    """How many of the selected comments use each term, per category."""

    counts: dict[int, tuple[int, int, int]]  # term id: (detractors, passives, promoters)
    comments: tuple[int, int, int]  # comments read: (detractors, passives, promoters)
    limited: bool  # older comments of the selection were left unread

    @property
    def read(self) -> int:
        """How many comments were read: the newest of the selection."""
        return sum(self.comments)


# The newest comments looked at, at most, for those a property filter (or
# signed answers only) selects: a selective filter (one agent of forty)
# reads fewer comments, but never scans the whole period. The window has
# the view's period, touchpoint and channel.
WINDOW = 20_000


def _windowed(flt: ResponseFilter) -> bool:
    """Whether *flt* selects by what only the answers' own rows hold."""
    return bool(flt.properties or flt.verified)


def _window(flt: ResponseFilter) -> tuple[list[str], list[Any]]:
    clauses, params = replace(flt, properties=None, verified=False).where()
    return [*clauses, "r.comment IS NOT NULL"], params


def _newest_comments(flt: ResponseFilter, limit: int) -> tuple[str, list[Any]]:
    """The newest *limit* comments *flt* selects (among the newest WINDOW of
    its period, touchpoint and channel, for a property filter)."""
    clauses, params = flt.where()
    clauses.append("r.comment IS NOT NULL")
    newest = "ORDER BY r.created_at DESC, r.id DESC"
    if not _windowed(flt):
        return f"SELECT r.id, r.score FROM responses r {where_sql(clauses)} {newest} LIMIT ?", [*params, limit]
    window, window_params = _window(flt)
    # Across touchpoints the comments' own index is the one in date order.
    index = "INDEXED BY responses_commented" if flt.touchpoint_id is None else ""
    sql = f"""SELECT r.id, r.score FROM (
            SELECT r.id FROM responses r {index} {where_sql(window)} {newest} LIMIT {WINDOW}) w
        CROSS JOIN responses r ON r.id = w.id {where_sql(clauses)}
        {newest} LIMIT ?"""
    return sql, [*window_params, *params, limit]


def _window_full(conn: sqlite3.Connection, flt: ResponseFilter) -> bool:
    """Whether a property filter's window left older comments unread."""
    if not _windowed(flt):
        return False
    clauses, params = _window(flt)
    sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM responses r {where_sql(clauses)} LIMIT {WINDOW + 1})"
    return conn.execute(sql, params).fetchone()[0] > WINDOW


_CATEGORIES = ", ".join(
    f"SUM({CATEGORY_CLAUSES[c].replace('r.score', 's.score')})" for c in (nps.DETRACTOR, nps.PASSIVE, nps.PROMOTER)
)


def term_counts(conn: sqlite3.Connection, flt: ResponseFilter | None = None, limit: int = 5000) -> TermCounts:
    """Count the terms of the newest *limit* comments that *flt* selects
    (among the period's newest WINDOW comments), by category."""
    flt = flt or ResponseFilter()
    sample, params = _newest_comments(flt, limit)
    # One statement: the sample is read once, and its own counts come first
    # as the row of term id 0 (ids start at 1).
    rows = conn.execute(
        f"""
        WITH s AS MATERIALIZED ({sample})
        SELECT 0, {_CATEGORIES} FROM s
        UNION ALL
        SELECT * FROM (SELECT ct.term_id, {_CATEGORIES} FROM s JOIN comment_terms ct ON ct.response_id = s.id
                       GROUP BY ct.term_id)
        """,
        params,
    ).fetchall()
    comments = tuple(value or 0 for value in rows[0][1:])
    return TermCounts(
        counts={row[0]: (row[1], row[2], row[3]) for row in rows[1:]},
        comments=comments,  # type: ignore[arg-type]
        limited=sum(comments) >= limit or _window_full(conn, flt),
    )


def term_words(conn: sqlite3.Connection, term_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Return {term id: (term, the form most comments wrote)} for *term_ids*."""
    if not term_ids:
        return {}
    marks = ", ".join("?" for _ in term_ids)
    rows = conn.execute(
        f"""
        SELECT t.id, t.term,
               (SELECT f.form FROM term_forms f WHERE f.term_id = t.id ORDER BY f.n DESC, f.form LIMIT 1)
        FROM terms t WHERE t.id IN ({marks})
        """,
        term_ids,
    ).fetchall()
    return {row[0]: (row[1], row[2] or row[1]) for row in rows}
