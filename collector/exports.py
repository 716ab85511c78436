"""The columns of an export of responses, shared by `anbefal export` and the
admin's download; storage.iter_export_cells gives the rows, with every cell
that people wrote made inert for spreadsheets."""

from __future__ import annotations

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


def export_header(property_keys: list[str], followup: bool = False) -> list[str]:
    columns = EXPORT_COLUMNS + (FOLLOWUP_COLUMNS if followup else [])
    return columns + [f"property:{key}" for key in property_keys]
