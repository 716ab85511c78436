"""`anbefal touchpoint email-block` and `anbefal link`: survey links for mail."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..links import making
from ..snippet import public_url
from .base import main, touchpoint, touchpoint_or_fail


def _link_base_url() -> str:
    """The base URL of links meant for mail; warn on stderr when it is only a guess."""
    from flask import current_app

    if not current_app.config.get("PUBLIC_URL"):
        click.echo(
            f"Note: ANBEFAL_PUBLIC_URL is not set, so these links point at {public_url()}; "
            "set it to the address your customers reach.",
            err=True,
        )
    return public_url()


@touchpoint.command("email-block")
@click.argument("name")
@click.option(
    "--ref-placeholder",
    "placeholder",
    default=making.DEFAULT_PLACEHOLDER,
    show_default=True,
    help="What your helpdesk's mail template replaces with the ticket id, e.g. '{{ticket.display_id}}'.",
)
@click.option("--text", "as_text", is_flag=True, help="Plain text (one link per line) instead of HTML.")
@with_appcontext
def touchpoint_email_block(name: str, placeholder: str, as_text: bool) -> None:
    """Print the block of score links 0-10 to paste into a mail template."""
    from ..links.email_block import email_block_html, email_block_text

    tp = touchpoint_or_fail(name)
    try:
        making.check_placeholder(placeholder)
    except making.LinkError as exc:
        raise click.BadParameter(str(exc), param_hint="--ref-placeholder") from None
    make = email_block_text if as_text else email_block_html
    click.echo(make(tp, placeholder, _link_base_url()))


@main.command("link")
@click.argument("name")
@click.option("--ref", required=True, help="The order or ticket id the answer belongs to (signed into the link).")
@click.option("--score", type=click.IntRange(0, 10), help="Preselect this score (the link of one number 0-10).")
@click.option("--expires", help="Stop taking answers after this long: 12h, 30d, 2w (default: never).")
@with_appcontext
def link(name: str, ref: str, score: int | None, expires: str | None) -> None:
    """Print a survey link for one recipient of touchpoint NAME."""
    tp = touchpoint_or_fail(name)
    try:
        expires_in = making.parse_expires(expires)
    except making.LinkError as exc:
        raise click.BadParameter(str(exc), param_hint="--expires") from None
    try:
        made = making.RecipientLink(tp, ref, _link_base_url(), expires_in)
    except making.LinkError as exc:
        raise click.BadParameter(str(exc), param_hint="--ref") from None
    click.echo(made.url(score))
