"""The `anbefal` command group, and what its commands share."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import click
from flask.cli import FlaskGroup

from .. import create_app, storage
from ..db import get_db
from ..selection import PERIODS, read_range
from ..settings import SettingError


def make_app(*_args, **_kwargs):
    """Create the app from the environment; a wrong setting is one line, not a traceback."""
    try:
        return create_app()
    except (SettingError, storage.UnusableDatabase) as exc:  # say what is wrong, without a traceback
        raise click.ClickException(str(exc)) from None


class StorageFault(click.ClickException):
    """A full disk, a read-only or a busy database met by a command."""

    exit_code = 75  # EX_TEMPFAIL: nothing was changed; the same command may succeed later


class AnbefalGroup(FlaskGroup):
    """Flask's CLI group without its --app/--debug/--env-file options: the
    app is always Anbefal's, configured from the environment."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.params = [p for p in self.params if p.name not in ("app", "debug", "env_file")]

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (sqlite3.Error, OSError) as exc:
            fault = storage.classify_fault(exc)
            if fault is None:
                raise
            raise StorageFault(
                f"{fault.message} ({exc}). To fix it: {fault.remedy}; then run the command again."
            ) from None


@click.group(cls=AnbefalGroup, create_app=make_app, add_default_commands=False, add_version_option=False)
@click.version_option(package_name="anbefal", prog_name="anbefal")
def main() -> None:
    """Anbefal: self-hosted Net Promoter Score.

    Settings come from ANBEFAL_* environment variables (see the README);
    ANBEFAL_DB names the SQLite file (default ./anbefal.db).
    """


@main.group()
def touchpoint() -> None:
    """Create and list touchpoints, and print their snippets."""


def touchpoint_or_fail(name: str) -> storage.Touchpoint:
    """Return the touchpoint called *name*, or stop with a message that says how to list them."""
    tp = storage.get_touchpoint_by_name(get_db(), name)
    if tp is None:
        raise click.ClickException(f"no touchpoint called {name!r} (see `anbefal touchpoint list`)")
    return tp


# --period for the commands that report on one touchpoint (drivers, themes):
# the overview's periods but a custom one, whose dates a shell would give otherwise.
period_option = click.option(
    "--period",
    type=click.Choice([period for period in PERIODS if period != "custom"]),
    default="90d",
    show_default=True,
    help="Which answers: the last 7, 30 or 90 days, this year or all.",
)


def period_filter(period: str, touchpoint_id: int | None = None) -> storage.ResponseFilter:
    """The answers of *period* (a --period choice), up to today in UTC."""
    _, since, until = read_range(period, "", "", datetime.now(UTC).date(), [])
    return storage.ResponseFilter(
        touchpoint_id=touchpoint_id,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
    )
