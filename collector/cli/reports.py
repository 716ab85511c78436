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
    """Print n, % promoters / passives / detractors, NPS and the widget's response rate per touchpoint."""
    conn = get_db()
    counts = storage.category_counts_by_touchpoint(conn)
    reached = storage.reach_by_touchpoint(conn)
    rows = []
    total = nps.Summary()
    total_reach = storage.Reach()
    for tp in storage.list_touchpoints(conn):
        summary = nps.Summary(*counts.get(tp.id, (0, 0, 0)))
        total = total + summary
        reach = reached.get(tp.id, storage.Reach())
        total_reach = total_reach + reach
        rows.append((tp.name, summary, reach))
    rows.append(("(all)", total, total_reach))
    if as_json:
        click.echo(json.dumps([{"touchpoint": name, **s.as_dict(), **r.as_dict()} for name, s, r in rows], indent=2))
        return
    width = max(len("touchpoint"), *(len(name) for name, _, _ in rows))
    click.echo(
        f"{'touchpoint':<{width}}  {'n':>7}  {'prom%':>5}  {'pass%':>5}  {'detr%':>5}  {'NPS':>4}"
        f"  {'shown':>7}  {'dismiss':>7}  {'answer':>7}  {'rate':>5}"
    )
    for name, s, r in rows:
        cells = [_pct(s.pct_promoters), _pct(s.pct_passives), _pct(s.pct_detractors)]
        click.echo(
            f"{name:<{width}}  {s.n:>7}  {cells[0]:>5}  {cells[1]:>5}  {cells[2]:>5}  {nps.format_nps(s.nps):>4}"
            f"  {r.shown:>7}  {r.dismissed:>7}  {r.answered:>7}  {r.rate_text:>5}"
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
