"""Lists of answers a page at a time: comments, search, follow-up and the read API."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..params import whole_number
from .drivers import RATINGS_JSON
from .filters import CATEGORY_CLAUSES, FOLLOWUP_CLAUSES, ResponseFilter, where_sql


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
    updated_since: str | None = None,
    assignee: int | None = None,
    overdue_at: str | None = None,
    before: Cursor | None = None,
    after: Cursor | None = None,
    limit: int = 50,
) -> ResponsePage:
    """Return one page of responses, newest first.

    *search* is an FTS5 query (see fts_query). *updated_since* (a stored
    timestamp) keeps the answers changed, or followed up, at or after it.
    *before* returns the page that
    follows an older-than cursor, *after* the page just newer than it.
    """
    clauses, params = (flt or ResponseFilter()).where()
    if commented:
        clauses.append("r.comment IS NOT NULL")
    if category:
        clauses.append(CATEGORY_CLAUSES[category])
    if followup:
        clauses.append(FOLLOWUP_CLAUSES[followup])
    if assignee is not None:
        clauses.append("r.followup_assignee = ?")
        params.append(assignee)
    if overdue_at is not None:  # open detractors due before that moment
        clauses.append(f"{FOLLOWUP_CLAUSES['open']} AND r.followup_due_at < ?")
        params.append(overdue_at)
    if updated_since is not None:
        # As for a search: few changes are fetched by their indexes
        # (migrations.read_api_updated_indexes) and sorted; many are found
        # walking the newest-first index.
        if _changed_at_least(conn, updated_since, SEARCH_WALK_FROM):
            clauses.append("(r.updated_at >= ? OR r.followup_at >= ?)")
        else:
            clauses.append(
                "r.id IN (SELECT id FROM responses WHERE updated_at >= ?"
                " UNION ALL SELECT id FROM responses WHERE followup_at >= ?)"
            )
        params.extend([updated_since, updated_since])
    older_than = [before.created_at, before.id] if before is not None and after is None else None
    if after is not None:
        clauses.append("(r.created_at, r.id) > (?, ?)")
        params.extend([after.created_at, after.id])
    elif older_than is not None:
        clauses.append("(r.created_at, r.id) < (?, ?)")
        params.extend(older_than)
    order = "ASC" if after is not None else "DESC"
    match = "r.id IN (SELECT rowid FROM responses_fts WHERE responses_fts MATCH ?{})"
    if search is None:
        rows = _page(conn, clauses, params, order, limit)
    elif not _fts_matches_at_least(conn, search, SEARCH_WALK_FROM):
        # A rare word: fetch its few matches and sort them.
        rows = _page(conn, [*clauses, match.format("")], [*params, search], order, limit)
    elif after is None:
        rows = _newest_matches(conn, clauses, params, older_than, search, match, limit)
    else:
        # A common word, newer pages: walk the index, checking each row
        # against the matches (the unary + keeps SQLite from driving by them).
        rows = _page(conn, [*clauses, "+" + match.format("")], [*params, search], order, limit)
    more = len(rows) > limit
    items = [dict(row) for row in rows[:limit]]
    for item in items:
        item["properties"] = json.loads(item["properties"])
        item["drivers"] = json.loads(item["drivers"] or "{}")
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


def _page(conn: sqlite3.Connection, clauses: list[str], params: list[Any], order: str, limit: int) -> list:
    return conn.execute(
        f"""
        SELECT r.id, r.created_at, r.updated_at, r.touchpoint_id, t.name AS touchpoint, r.score, r.comment, r.ref,
               r.channel, r.locale, r.page, r.properties, r.followup_status, r.followup_note,
               r.followup_by, r.followup_at, r.followup_due_at, r.followup_assignee,
               (SELECT email FROM users WHERE id = r.followup_assignee) AS followup_assignee_email,
               r.verified, {RATINGS_JSON} AS drivers
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        {where_sql(clauses)}
        ORDER BY r.created_at {order}, r.id {order}
        LIMIT ?
        """,
        [*params, limit + 1],
    ).fetchall()


# A common word, newest first: listing every match to check rows against
# would cost its millions, so the page looks at the newest answers with a
# comment in slices of these sizes, each older than the one before, and
# lists only the matches among each slice's ids. A page the slices will not
# fill (a narrow filter) walks on through every older match, as it did
# before the slices: larger slices would cost more walking than they save.
SEARCH_WINDOWS = (2_000, 20_000)


def _newest_matches(
    conn: sqlite3.Connection,
    clauses: list[str],
    params: list[Any],
    older_than: list[Any] | None,
    search: str,
    match: str,
    limit: int,
) -> list:
    """The newest page of a common word's matches, a slice at a time.

    A slice holds the next newest answers with a comment (every match has
    one), older than *older_than* (the page's cursor) and than the slice
    before, down to its oldest (created_at, id). Its matches that the other
    *clauses* select are the next ones in the page's order, so the page is
    done when the slices found enough or there is nothing older. Ids need
    not follow the times (an import adds old answers): the slice's smallest
    and largest ids bound the matches listed, whatever their times. The
    slices ignore the other conditions, so a narrow filter costs a walk of
    a few index entries more, not a search for its own answers."""
    found: list = []
    read = 0
    for step, size in enumerate(SEARCH_WINDOWS):
        # The index of the answers with a comment, in time order: read, not the rows.
        newer = ["r.comment IS NOT NULL"] + (["(r.created_at, r.id) < (?, ?)"] if older_than else [])
        walk = (
            f"SELECT r.created_at, r.id FROM responses r INDEXED BY responses_commented {where_sql(newer)}"
            " ORDER BY r.created_at DESC, r.id DESC"
        )
        lowest_id, highest_id, count = conn.execute(
            f"SELECT min(id), max(id), COUNT(*) FROM ({walk} LIMIT ?)", [*(older_than or []), size]
        ).fetchone()
        if count == 0:
            return found
        last = conn.execute(f"{walk} LIMIT 1 OFFSET ?", [*(older_than or []), count - 1]).fetchone()
        found += _page(
            conn,
            [*clauses, *newer[1:], "(r.created_at, r.id) >= (?, ?)", "+" + match.format(" AND rowid BETWEEN ? AND ?")],
            [*params, *(older_than or []), *last, search, lowest_id, highest_id],
            "DESC",
            limit - len(found),
        )
        if len(found) > limit or count < size:
            return found
        older_than = list(last)
        read += count
        # At this slice's rate of matches, the next would not fill the page either.
        following = SEARCH_WINDOWS[step + 1] if step + 1 < len(SEARCH_WINDOWS) else 0
        if len(found) * (read + following) < (limit + 1) * read:
            break
    return found + _page(
        conn,
        [*clauses, "(r.created_at, r.id) < (?, ?)", "+" + match.format("")],
        [*params, *older_than, search],
        "DESC",
        limit - len(found),
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


def _changed_at_least(conn: sqlite3.Connection, since: str, count: int) -> bool:
    found = conn.execute(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM responses WHERE updated_at >= ? LIMIT ?))"
        " + (SELECT COUNT(*) FROM (SELECT 1 FROM responses WHERE followup_at >= ? LIMIT ?))",
        (since, count, since, count),
    ).fetchone()[0]
    return found >= count


def count_followup(conn: sqlite3.Connection, view: str, flt: ResponseFilter | None = None) -> int:
    """Count the responses in one of FOLLOWUP_VIEWS."""
    clauses, params = (flt or ResponseFilter()).where()
    clauses.append(FOLLOWUP_CLAUSES[view])
    return conn.execute(
        f"SELECT COUNT(*) FROM responses r {where_sql(clauses)}",
        params,
    ).fetchone()[0]
