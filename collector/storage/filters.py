"""What a report, a list or an export selects, turned into SQL in one place.

Queries alias the responses table as `r`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import nps

# The NPS categories in SQL, from nps's thresholds: the one definition.
CATEGORY_CLAUSES = {
    nps.DETRACTOR: f"r.score <= {nps.DETRACTOR_MAX}",
    nps.PASSIVE: f"r.score BETWEEN {nps.DETRACTOR_MAX + 1} AND {nps.PROMOTER_MIN - 1}",
    nps.PROMOTER: f"r.score >= {nps.PROMOTER_MIN}",
}
# Promoters, passives and detractors counted, in that order (nps.Summary's).
CATEGORY_COUNTS = ", ".join(f"SUM({CATEGORY_CLAUSES[c]})" for c in (nps.PROMOTER, nps.PASSIVE, nps.DETRACTOR))
# An answer's category as text.
CATEGORY_NAME = (
    f"CASE WHEN {CATEGORY_CLAUSES[nps.PROMOTER]} THEN '{nps.PROMOTER}'"
    f" WHEN {CATEGORY_CLAUSES[nps.PASSIVE]} THEN '{nps.PASSIVE}' ELSE '{nps.DETRACTOR}' END"
)

FOLLOWUP_STATUSES = ("contacted", "resolved")
# What the follow-up view selects: open = detractors nobody has followed up.
FOLLOWUP_VIEWS = ("open", "contacted", "resolved")
FOLLOWUP_CLAUSES = {
    # Written as the partial indexes' WHERE (migrations.comment_indexes), so SQLite uses them.
    "open": f"{CATEGORY_CLAUSES[nps.DETRACTOR]} AND r.followup_status IS NULL",
    "contacted": "r.followup_status = 'contacted'",
    "resolved": "r.followup_status = 'resolved'",
}


def where_sql(clauses: list[str]) -> str:
    """Return a WHERE clause that joins *clauses* with AND, or "" when there are none."""
    return ("WHERE " + " AND ".join(clauses)) if clauses else ""


@dataclass
class ResponseFilter:
    """What a report or export selects; every field is optional."""

    touchpoint_id: int | None = None
    since: str | None = None  # inclusive, YYYY-MM-DD or ISO timestamp
    until: str | None = None  # inclusive day, YYYY-MM-DD
    channel: str | None = None
    properties: dict[str, str] | None = None
    verified: bool = False  # only answers whose signature held

    def where(self) -> tuple[list[str], list[Any]]:
        """Return the SQL conditions this filter sets (to be joined with AND) and their params."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.touchpoint_id is not None:
            clauses.append("r.touchpoint_id = ?")
            params.append(self.touchpoint_id)
        if self.since:
            clauses.append("r.created_at >= ?")
            params.append(self.since)
        if self.until:
            # Dates are inclusive: everything before the next day's first second.
            clauses.append("r.created_at < date(?, '+1 day')")
            params.append(self.until)
        if self.channel:
            clauses.append("r.channel = ?")
            params.append(self.channel)
        if self.verified:
            clauses.append("r.verified = 1")
        for key, value in (self.properties or {}).items():
            # Looking for text is far cheaper than parsing JSON. The pair as
            # responses.properties_json writes it ('"key": "value"') can only be
            # that property (a quote inside a JSON string is escaped); else a
            # row can only match if the value's JSON text is in it somewhere.
            pair = json.dumps(key, ensure_ascii=False) + ": " + json.dumps(value, ensure_ascii=False)
            clauses.append(
                "(instr(r.properties, ?) OR ((instr(r.properties, ?) OR instr(r.properties, ?))"
                " AND json_extract(r.properties, '$.' || json_quote(?)) = ?))"
            )
            params.extend([pair, json.dumps(value, ensure_ascii=False), json.dumps(value), key, value])
        return clauses, params

    def where_sql(self) -> tuple[str, list[Any]]:
        """Return this filter as a WHERE clause (or "") and its params."""
        clauses, params = self.where()
        return where_sql(clauses), params

    def days_where(self) -> tuple[list[str], list[Any]]:
        """This filter's conditions on a per-day table (touchpoint_id, day,
        channel: response_days, response_property_days, driver_moments) and
        their params; its properties and signatures are not there, nor a time
        of day: the callers read the answers for those."""
        clauses: list[str] = []
        params: list[Any] = []
        for clause, value in (
            ("touchpoint_id = ?", self.touchpoint_id),
            ("day >= ?", self.since),
            ("day <= ?", self.until),
            ("channel = ?", self.channel),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        return clauses, params

    def days_where_sql(self) -> tuple[str, list[Any]]:
        """days_where as a WHERE clause (or "") and its params."""
        clauses, params = self.days_where()
        return where_sql(clauses), params
