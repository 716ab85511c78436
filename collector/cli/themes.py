"""`anbefal themes`: what a touchpoint's detractors and passives write about."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from .. import nps
from ..db import get_db
from ..selection import PERIODS
from ..themes.report import CATEGORIES, find_themes
from .base import main, period_filter, period_option, touchpoint_or_fail


@main.command()
@click.argument("name")
@click.option(
    "--category",
    type=click.Choice(CATEGORIES),
    help="Only the detractors' or only the passives' themes (default: both).",
)
@period_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@with_appcontext
def themes(name: str, category: str | None, period: str, as_json: bool) -> None:
    """Print the words and phrases NAME's detractors (and passives) use clearly more than its promoters."""
    tp = touchpoint_or_fail(name)
    flt = period_filter(period, tp.id)
    found = find_themes(get_db(), flt, (category,) if category else CATEGORIES)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "touchpoint": tp.name,
                    "period": period,
                    "since": flt.since,
                    "until": flt.until,
                    "categories": [
                        {
                            "category": section.category,
                            "heading": section.heading,
                            "comments": section.comments,
                            "promoter_comments": section.promoter_comments,
                            "newest_only": section.limited,
                            "themes": [theme.as_dict() for theme in section.themes],
                        }
                        for section in found
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for number, section in enumerate(found):
        if number:
            click.echo()
        who = "detractors" if section.category == nps.DETRACTOR else "passives"
        click.echo(f"{section.heading} ({tp.name}, {PERIODS[period].lower()})")
        if section.limited:
            click.echo(f"(from the newest {section.read:,} comments of this selection)")
        if not section.themes:
            click.echo(
                f"No word stands out clearly: {section.comments} comments from {who}, "
                f"{section.promoter_comments} from promoters."
            )
            continue
        width = max(len("word or phrase"), *(len(theme.word) for theme in section.themes))
        click.echo(f"{'word or phrase':<{width}}  {who:>11}  {'promoters':>11}  {'z':>5}")
        for theme in section.themes:
            mine = f"{theme.comments} ({theme.share:.0%})"
            theirs = f"{theme.promoters} ({theme.promoter_share:.0%})"
            click.echo(f"{theme.word:<{width}}  {mine:>11}  {theirs:>11}  {theme.z:>5.1f}")
