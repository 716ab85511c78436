"""What an export of responses holds, shared by `anbefal export` and the
admin's download: the columns, one row's cells, and text made safe to open
in a spreadsheet."""

from __future__ import annotations

from typing import Any

from . import nps

EXPORT_COLUMNS = [
    "id",
    "created_at",
    "touchpoint",
    "score",
    "category",
    "comment",
    "ref",
    "channel",
    "locale",
    "page",
]

# The admin's export adds how each response was followed up.
FOLLOWUP_COLUMNS = ["followup_status", "followup_note", "followup_by", "followup_at"]

# A cell starting with one of these is run as a formula by Excel, LibreOffice
# or Google Sheets (tab, CR and LF too, as some read past them).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def inert(value: Any) -> Any:
    """Return *value* so that no spreadsheet runs it as a formula: text that
    starts like one gets a leading apostrophe (OWASP's advice); numbers and
    other text are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def export_header(property_keys: list[str], followup: bool = False) -> list[str]:
    columns = EXPORT_COLUMNS + (FOLLOWUP_COLUMNS if followup else [])
    return columns + [inert(f"property:{key}") for key in property_keys]


def export_cells(row: dict, property_keys: list[str], followup: bool = False) -> list:
    """One response's cells, every text cell made inert."""
    cells = [
        row["id"],
        row["created_at"],
        row["touchpoint"],
        row["score"],
        nps.category(row["score"]),
        row["comment"] or "",
        row["ref"] or "",
        row["channel"],
        row["locale"] or "",
        row["page"] or "",
    ]
    if followup:
        cells += [
            row["followup_status"] or "",
            row["followup_note"] or "",
            row["followup_by"] or "",
            row["followup_at"] or "",
        ]
    properties = row["properties"]
    cells += [properties.get(key, "") for key in property_keys]
    return [inert(cell) for cell in cells]
