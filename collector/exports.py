"""The columns and the CSV of an export of responses, shared by `anbefal
export` and the admin's download; storage.iter_export_cells gives the rows,
with every cell that people wrote made inert for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

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
    "verified",
]

# The admin's export adds how each response was followed up.
FOLLOWUP_COLUMNS = [
    "followup_status",
    "followup_note",
    "followup_by",
    "followup_at",
    "followup_assignee",
    "followup_due_at",
]


def export_header(property_keys: list[str], followup: bool = False, driver_keys: Iterable[str] = ()) -> list[str]:
    columns = EXPORT_COLUMNS + (FOLLOWUP_COLUMNS if followup else [])
    return columns + [f"property:{key}" for key in property_keys] + [f"driver:{key}" for key in driver_keys]


# Lines end in CR LF (RFC 4180). With both in the line end, the csv module
# quotes every field that holds either one (and a quote or the separator), so
# a spreadsheet reads "Fine\r=1+1" as one cell, never as a second row that
# starts with a formula.
LINE_END = "\r\n"
# Excel in Danish and Norwegian (and other) locales splits on ";" and needs
# the byte order mark to read UTF-8 (æ, ø, å).
BOM = "\ufeff"
# Rows written per chunk: large enough that the per-chunk work is nothing,
# small enough that a chunk is a few hundred kilobytes at most.
BATCH = 1000


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",", bom: bool = False
) -> Iterator[str]:
    """Yield the CSV text of *header* and *rows*, BATCH rows a chunk (the header rides with the first)."""
    sink = io.StringIO()
    writer = csv.writer(sink, delimiter=delimiter, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    if bom:
        sink.write(BOM)
    writer.writerow(header)
    rows = iter(rows)
    while True:
        batch = list(islice(rows, BATCH))
        writer.writerows(batch)
        if len(batch) < BATCH:
            break
        yield _take(sink)
    yield _take(sink)


def _take(sink: io.StringIO) -> str:
    text = sink.getvalue()
    sink.seek(0)
    sink.truncate()
    return text
