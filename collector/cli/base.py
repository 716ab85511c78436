"""The `anbefal` command group, and what its commands share."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from .. import create_app, storage
from ..db import get_db
from ..settings import SettingError


def make_app(*_args, **_kwargs):
    """Create the app from the environment; a wrong setting is one line, not a traceback."""
    try:
        return create_app()
    except SettingError as exc:  # a wrong ANBEFAL_* value: say which, without a traceback
        raise click.ClickException(str(exc)) from None


class AnbefalGroup(FlaskGroup):
    """Flask's CLI group without its --app/--debug/--env-file options: the
    app is always Anbefal's, configured from the environment."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.params = [p for p in self.params if p.name not in ("app", "debug", "env_file")]


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
