"""`anbefal touchpoint set` and `anbefal signing-key`: a touchpoint's settings
from the command line, and the key that signs verified answers."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext

from .. import customers, storage, touchpoint_settings
from ..db import get_db
from .base import main, touchpoint, touchpoint_or_fail


def _with_options(command):
    # One option per row of touchpoint_settings.OPTIONS, in the table's order
    # (decorators apply bottom-up, hence reversed).
    for option in reversed(touchpoint_settings.OPTIONS):
        if option.flag:
            decorator = click.option(
                f"--{option.option}/--no-{option.option}", option.column, default=None, help=option.help
            )
        else:
            decorator = click.option(f"--{option.option}", option.column, metavar="VALUE", help=option.help)
        command = decorator(command)
    return command


@touchpoint.command("set")
@click.argument("touchpoint_name", metavar="NAME")
@_with_options
@with_appcontext
def touchpoint_set(touchpoint_name: str, **given: Any) -> None:
    """Change settings of touchpoint NAME; each value is checked as the admin form checks it."""
    tp = touchpoint_or_fail(touchpoint_name)
    values = {}
    for option in touchpoint_settings.OPTIONS:
        value = given[option.column]
        if value is not None:
            values[option.form_field] = ("on" if value else "off") if option.flag else value
    if not values:
        raise click.UsageError("give at least one setting to change, such as --question TEXT (see --help)")
    fields, errors = touchpoint_settings.parse(values)
    if errors:
        by_field = {option.form_field: option.option for option in touchpoint_settings.OPTIONS}
        for form_field, message in errors.items():
            click.echo(f"--{by_field[form_field]}: {message}", err=True)
        raise click.ClickException("nothing was changed")
    try:
        changed = storage.update_touchpoint(get_db(), tp.id, **fields)
    except storage.DuplicateName:
        raise click.ClickException(f"a touchpoint called {fields['name']!r} exists already") from None
    assert changed is not None
    shown = touchpoint_settings.form_values(changed)
    for option in touchpoint_settings.OPTIONS:
        if option.column in fields:
            click.echo(f"{option.option}: {shown[option.form_field] or '(none)'}")
    click.echo(f"Saved touchpoint {changed.name!r}; the widget uses the new settings from its next page view.")


@main.command("signing-key")
@click.option("--rotate", is_flag=True, help="Make a new key; signatures made with the old one stop holding.")
@with_appcontext
def signing_key(rotate: bool) -> None:
    """Print the key your shop's backend signs refs and customer ids with."""
    conn = get_db()
    if rotate:
        key = customers.rotate_signing_key(conn)
        click.echo("A new signing key; answers signed with the old one are no longer verified:", err=True)
    else:
        key = customers.signing_key(conn)
    click.echo(key)
