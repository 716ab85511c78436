"""`anbefal touchpoint driver add|list|remove` and `anbefal drivers`: driver
ratings and the action matrix."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import drivers, i18n, matrix, storage
from ..db import get_db
from .base import main, period_filter, period_option, touchpoint, touchpoint_or_fail


@touchpoint.group("driver")
def driver() -> None:
    """The drivers a touchpoint asks after the score (up to 5, each rated 1-5)."""


@driver.command("add")
@click.argument("name")
@click.argument("key")
@click.option("--label", help="What the admin and the matrix call it (default: the standard one for KEY).")
@click.option("--question", help="What the survey asks (default: the standard one, or made from the label).")
@with_appcontext
def driver_add(name: str, key: str, label: str | None, question: str | None) -> None:
    """Give touchpoint NAME a driver called KEY (delivery, price, staff...)."""
    tp = touchpoint_or_fail(name)
    language = tp.language or i18n.DEFAULT_LANGUAGE
    try:
        drivers.check_key(key)
        label, question = drivers.wording(key, language, label, question)
        found = storage.add_driver(get_db(), tp.id, key, label, question)
    except drivers.DriverError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Added driver {found.key} to {tp.name!r}: {found.label} ({found.question})")


@driver.command("list")
@click.argument("name")
@with_appcontext
def driver_list(name: str) -> None:
    """List the drivers of touchpoint NAME."""
    tp = touchpoint_or_fail(name)
    found = storage.list_drivers(get_db(), tp.id)
    if not found:
        click.echo(f"{tp.name!r} has no drivers (add one with `anbefal touchpoint driver add`).")
        return
    width = max(len("key"), *(len(d.key) for d in found))
    label_width = max(len("label"), *(len(d.label) for d in found))
    click.echo(f"{'key':<{width}}  {'label':<{label_width}}  question")
    for d in found:
        click.echo(f"{d.key:<{width}}  {d.label:<{label_width}}  {d.question}")


@driver.command("remove")
@click.argument("name")
@click.argument("key")
@with_appcontext
def driver_remove(name: str, key: str) -> None:
    """Remove driver KEY from touchpoint NAME, with every rating of it."""
    tp = touchpoint_or_fail(name)
    if not storage.remove_driver(get_db(), tp.id, key):
        raise click.ClickException(f"{tp.name!r} has no driver {key!r} (see `anbefal touchpoint driver list`)")
    click.echo(f"Removed driver {key} from {tp.name!r}, and its ratings.")


@main.command("drivers")
@click.argument("name")
@period_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def drivers_command(name: str, period: str, as_json: bool) -> None:
    """Print the action matrix of touchpoint NAME: each driver's importance, performance and quadrant."""
    tp = touchpoint_or_fail(name)
    found = matrix.for_touchpoint(get_db(), tp.id, period_filter(period), current_app.config["MIN_ANSWERS"])
    if found is None:
        raise click.ClickException(f"{tp.name!r} has no drivers (add one with `anbefal touchpoint driver add`)")
    if as_json:
        click.echo(json.dumps({"touchpoint": tp.name, "period": period, **matrix.as_dict(found)}, indent=2))
        return
    click.echo(found.sentence() or "Act first on: — (no driver is both important and done poorly)")
    r2 = "—" if found.r2 is None else f"{found.r2:.2f}"
    click.echo(f"{found.n} answers with ratings; together the drivers explain R² = {r2} of the score's variance.")
    width = max(len("driver"), *(len(d.label) for d in found.drivers))
    click.echo(f"{'driver':<{width}}  {'n':>6}  {'importance':>10}  {'performance':>11}  quadrant")
    for d in found.drivers:
        importance = "—" if d.importance is None else f"{d.importance:.0f}%"
        performance = "—" if d.performance is None else f"{d.performance:.0f}"
        few = " (few answers)" if d.few else ""
        click.echo(f"{d.label:<{width}}  {d.n:>6}  {importance:>10}  {performance:>11}  {d.quadrant or '—'}{few}")
