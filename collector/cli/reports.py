"""`anbefal stats` and `anbefal export`: the figures and the answers."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask.cli import with_appcontext

from .. import nps, storage
from ..db import get_db
from ..exports import csv_chunks, export_header
from .base import main, touchpoint_or_fail


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def stats(as_json: bool) -> None:
    """Print n, % promoters / passives / detractors and NPS per touchpoint."""
    conn = get_db()
    counts = storage.category_counts_by_touchpoint(conn)
    rows = []
    total = nps.Summary()
    for tp in storage.list_touchpoints(conn):
        summary = nps.Summary(*counts.get(tp.id, (0, 0, 0)))
        total = total + summary
        rows.append((tp.name, summary))
    rows.append(("(all)", total))
    if as_json:
        click.echo(json.dumps([{"touchpoint": name, **s.as_dict()} for name, s in rows], indent=2))
        return
    width = max(len("touchpoint"), *(len(name) for name, _ in rows))
    click.echo(f"{'touchpoint':<{width}}  {'n':>7}  {'prom%':>5}  {'pass%':>5}  {'detr%':>5}  {'NPS':>4}")
    for name, s in rows:
        cells = [_pct(s.pct_promoters), _pct(s.pct_passives), _pct(s.pct_detractors)]
        click.echo(
            f"{name:<{width}}  {s.n:>7}  {cells[0]:>5}  {cells[1]:>5}  {cells[2]:>5}  {nps.format_nps(s.nps):>4}"
        )


def _pct(value: int | None) -> str:
    return "—" if value is None else str(value)


def _iso_date(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


@main.command()
@click.option("--touchpoint", "touchpoint_name", help="Only this touchpoint.")
@click.option("--since", callback=_iso_date, help="First day, YYYY-MM-DD (UTC).")
@click.option("--until", callback=_iso_date, help="Last day, YYYY-MM-DD (UTC), inclusive.")
@with_appcontext
def export(touchpoint_name: str | None, since: str | None, until: str | None) -> None:
    """Write responses as CSV to standard output, one row per response."""
    conn = get_db()
    flt = storage.ResponseFilter(since=since, until=until)
    if touchpoint_name:
        flt.touchpoint_id = touchpoint_or_fail(touchpoint_name).id
    keys = storage.property_keys(conn, flt)
    drivers = storage.driver_columns(conn, flt.touchpoint_id)
    header = export_header(keys, driver_keys=drivers)
    # Bytes, so that no text layer changes the CR LF line ends.
    out = sys.stdout.buffer
    for chunk in csv_chunks(header, storage.iter_export_cells(conn, flt, keys, driver_slots=drivers)):
        out.write(chunk.encode("utf-8"))
    out.flush()
