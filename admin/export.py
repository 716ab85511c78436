"""The admin's download: exactly the responses the filters select, as CSV
(comma, or semicolon with a byte order mark for Danish and Norwegian
spreadsheets) or JSON Lines, streamed a batch at a time so memory stays the
same whatever the number of rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Response, request, stream_with_context, url_for

from collector import nps, storage
from collector.db import get_db
from collector.errors import error_response
from collector.exports import BATCH, csv_chunks, export_header

from . import filters
from .auth import login_required
from .blueprint import bp

# format value: (label, media type, the end of the file's name, which says the format)
FORMATS = {
    "csv": ("CSV", "text/csv; charset=utf-8", ".csv"),
    "csv-semicolon": ("CSV for Danish/Norwegian Excel (; and BOM)", "text/csv; charset=utf-8", "-semicolon.csv"),
    "jsonl": ("JSON Lines", "application/x-ndjson; charset=utf-8", ".jsonl"),
}


def jsonl_chunks(rows: Iterator[dict]) -> Iterator[bytes]:
    """Yield one JSON object per response and line, in chunks of BATCH rows."""
    lines: list[str] = []
    for row in rows:
        row["category"] = nps.category(row["score"])
        lines.append(json.dumps(row, ensure_ascii=False))
        if len(lines) == BATCH:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines.clear()
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")


@bp.get("/export")
@login_required(api=True)
def export():
    """Download the responses the filters in the URL select."""
    conn = get_db()
    touchpoints = storage.list_touchpoints(conn)
    flt, errors = filters.parse(request.args, touchpoint_ids={tp.id for tp in touchpoints})
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        errors.append(f"Unknown format “{fmt[:40]}”: choose {', '.join(FORMATS)}.")
    if errors:
        return error_response(400, "invalid_filter", " ".join(errors))
    response_filter = flt.response_filter()
    _label, media_type, extension = FORMATS[fmt]
    if fmt == "jsonl":
        body = jsonl_chunks(storage.iter_export_rows(conn, response_filter))
    else:
        keys = storage.property_keys(conn, response_filter)
        drivers = storage.driver_columns(conn, response_filter.touchpoint_id)
        chunks = csv_chunks(
            export_header(keys, followup=True, driver_keys=drivers),
            storage.iter_export_cells(conn, response_filter, keys, followup=True, driver_slots=drivers),
            delimiter=";" if fmt == "csv-semicolon" else ",",
            bom=fmt == "csv-semicolon",
        )
        body = (chunk.encode("utf-8") for chunk in chunks)
    today = datetime.now(UTC).date().isoformat()
    return Response(
        stream_with_context(body),
        content_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="anbefal-responses-{today}{extension}"'},
    )


def export_url(flt: filters.Filters, fmt: str) -> str:
    """The download link for *flt* in format *fmt* (for the overview's links)."""
    return url_for("admin.export") + "?" + flt.query({"format": fmt})
