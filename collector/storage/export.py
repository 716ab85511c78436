"""Answers for export, a row at a time, made safe for spreadsheets."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from .drivers import RATINGS_JSON, rating_sql
from .filters import CATEGORY_NAME, ResponseFilter

# Who follows an answer up, by email (the users table is a handful of rows).
_ASSIGNEE_EMAIL = "(SELECT email FROM users WHERE id = r.followup_assignee)"


def iter_export_rows(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> Iterator[dict]:
    """Yield responses in id order, one dict each, without loading them all."""
    where, params = (flt or ResponseFilter()).where_sql()
    cur = conn.execute(
        f"""
        SELECT r.id, r.created_at, t.name AS touchpoint, r.score, r.comment, r.ref, r.channel,
               r.locale, r.page, r.properties, r.followup_status, r.followup_note,
               r.followup_by, r.followup_at, {_ASSIGNEE_EMAIL} AS followup_assignee, r.followup_due_at,
               r.verified, {RATINGS_JSON} AS drivers
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        {where}
        ORDER BY r.id
        """,
        params,
    )
    for row in cur:
        data = dict(row)
        data["properties"] = json.loads(data["properties"])
        data["drivers"] = json.loads(data["drivers"] or "{}")
        yield data


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
    conn: sqlite3.Connection,
    flt: ResponseFilter | None,
    property_keys: list[str],
    followup: bool = False,
    driver_slots: dict[str, dict[int, int]] | None = None,
) -> Iterator[tuple]:
    """Yield the cells of a CSV export of the selected responses, in id order:
    id, created_at, touchpoint, score, category, comment, ref, channel,
    locale, page, verified (1 or 0), [followup_status, followup_note, followup_by,
    followup_at, followup_assignee, followup_due_at,]
    then one value per property key, then one rating per driver key
    (*driver_slots*: {key: {touchpoint_id: slot}}); "" for what is missing.

    Every cell that people wrote (touchpoint name, comment, ref, locale, page,
    note, who, property values) is made inert for spreadsheets. SQLite does
    the whole row, so a million rows cost seconds, not minutes, and the
    cursor streams them: memory stays the same whatever the size.
    """
    where, params = (flt or ResponseFilter()).where_sql()

    def text(column: str) -> str:
        return inert_sql(f"COALESCE({column}, '')")

    cells = [
        "r.id",
        "r.created_at",
        text("t.name"),
        "r.score",
        CATEGORY_NAME,
        text("r.comment"),
        text("r.ref"),
        "r.channel",
        text("r.locale"),
        text("r.page"),
        "r.verified",
    ]
    if followup:
        cells += ["COALESCE(r.followup_status, '')", text("r.followup_note"), text("r.followup_by")]
        cells += ["COALESCE(r.followup_at, '')", text(_ASSIGNEE_EMAIL), "COALESCE(r.followup_due_at, '')"]
    key_params: list[str] = []
    for key in property_keys:
        cells.append(text("json_extract(r.properties, ?)"))
        # The path three times: inert_sql repeats its expression.
        key_params += ["$." + json.dumps(key)] * 3
    ratings_join = ""
    if driver_slots:
        cells += [f"COALESCE({rating_sql(slots)}, '')" for slots in driver_slots.values()]
        ratings_join = "LEFT JOIN response_ratings rr ON rr.response_id = r.id"
    cur = conn.cursor()
    cur.row_factory = None
    cur.execute(
        f"""
        SELECT {", ".join(cells)}
        FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id {ratings_join}
        {where}
        ORDER BY r.id
        """,
        [*key_params, *params],
    )
    while rows := cur.fetchmany(1000):
        yield from rows
