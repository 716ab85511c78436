"""`anbefal backup`, `forget` and `retention`: keeping the data safe, and letting it go."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .. import storage
from ..db import get_db
from .base import main, touchpoint_or_fail


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@with_appcontext
def backup(path: str, force: bool) -> None:
    """Copy the live database to PATH and check the copy.

    Safe while the server runs: the copy is one consistent snapshot, and
    answers keep arriving meanwhile. PATH is only replaced once the copy has
    passed SQLite's integrity check.
    """
    from flask import current_app

    source = current_app.config["DB"]
    try:
        done = storage.backup_to(get_db(), source, path, force=force)
    except storage.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {source} to {done.path}: {done.responses} responses, {done.size / 1024:.0f} KiB.")
    click.echo("Integrity check of the copy: ok.")


@main.command()
@click.option("--ref", required=True, help="The customer's order or ticket id, exactly as stored.")
@click.option("--touchpoint", "touchpoint_name", help="Only this touchpoint (default: every touchpoint).")
@with_appcontext
def forget(ref: str, touchpoint_name: str | None) -> None:
    """Delete everything stored about the customer with REF: their answers,
    comments, follow-up notes and the full-text index entries."""
    where = "every touchpoint"
    touchpoint_id = None
    if touchpoint_name:
        tp = touchpoint_or_fail(touchpoint_name)
        touchpoint_id, where = tp.id, f"touchpoint {tp.name!r}"
    deleted = storage.forget_ref(get_db(), ref, touchpoint_id)
    if not deleted:
        click.echo(f"No responses with ref {ref!r} on {where}; nothing deleted.")
        return
    noun = "response" if deleted == 1 else "responses"
    click.echo(f"Deleted {deleted} {noun} with ref {ref!r} from {where}.")
    click.echo("Backups made before now still hold them until they are deleted in turn.")


@main.command()
@click.option(
    "--days", type=click.IntRange(min=1), help="Delete answers older than this (default: ANBEFAL_RETENTION_DAYS)."
)
@click.option("--dry-run", is_flag=True, help="Only say how many answers would be deleted.")
@with_appcontext
def retention(days: int | None, dry_run: bool) -> None:
    """Delete answers older than the retention period, now.

    The server does the same by itself once an hour when
    ANBEFAL_RETENTION_DAYS is set; this command is for a first clean-up, a
    cron job, or a one-off with --days.
    """
    from flask import current_app

    from .. import privacy

    days = days or current_app.config["RETENTION_DAYS"]
    if not days:
        raise click.ClickException(
            "ANBEFAL_RETENTION_DAYS is not set; give --days N to delete answers older than N days"
        )
    conn = get_db()
    before = privacy.cutoff(days)
    if dry_run:
        count = storage.count_responses_before(conn, before)
        click.echo(f"{count} responses are older than {days} days (created before {before}); nothing deleted.")
        return
    done = privacy.clean_up(conn, days, thorough=True, quiet_days=current_app.config["CUSTOMER_QUIET_DAYS"])
    click.echo(f"Deleted {done.responses} responses older than {days} days (created before {before}).")
