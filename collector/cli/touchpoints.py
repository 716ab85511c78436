"""`anbefal touchpoint add|list|snippet`: touchpoints and their snippets."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .. import customers, i18n, look, storage
from ..db import get_db, get_tokens
from ..origins import normalise_origin
from ..snippet import public_url, snippet_html
from ..validation import MAX_TOUCHPOINT_NAME
from .base import touchpoint, touchpoint_or_fail


def _origin(value: str) -> str:
    """Return scheme://host[:port] of an origin, or raise click.BadParameter."""
    try:
        return normalise_origin(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@touchpoint.command("add")
@click.argument("name")
@click.option("--question", help="Own wording of the question (default: the language's standard one).")
@click.option(
    "--language",
    type=click.Choice(i18n.LANGUAGES),
    help="Language of the survey (default: the page's <html lang>, else English).",
)
@click.option("--origin", "origins", multiple=True, help="Origin allowed to embed it (repeatable).")
@click.option("--target", "target_nps", type=click.IntRange(-100, 100), help="Target NPS.")
@with_appcontext
def touchpoint_add(
    name: str, question: str | None, language: str | None, origins: tuple[str, ...], target_nps: int | None
) -> None:
    """Create a touchpoint called NAME (checkout, invoice, support...)."""
    name = name.strip()
    if not name or len(name) > MAX_TOUCHPOINT_NAME:
        raise click.BadParameter(f"give a name of 1 to {MAX_TOUCHPOINT_NAME} characters", param_hint="NAME")
    clean_origins = [_origin(origin) for origin in origins]
    try:
        tp = storage.insert_touchpoint(
            get_db(),
            name,
            question=question,
            language=language,
            origins=clean_origins,
            target_nps=target_nps,
        )
    except storage.DuplicateName:
        raise click.ClickException(f"a touchpoint called {name!r} exists already") from None
    click.echo(f"Created touchpoint {tp.name!r}.")
    if tp.origins:
        click.echo("Accepts answers only from: " + ", ".join(tp.origins))
    else:
        click.echo("Accepts answers from any origin (add --origin to restrict it).")
    click.echo(f"Get its snippet with: anbefal touchpoint snippet {_shell_quote(tp.name)}")


def _shell_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


@touchpoint.command("list")
@with_appcontext
def touchpoint_list() -> None:
    """List touchpoints with their language and allowed origins."""
    tps = storage.list_touchpoints(get_db())
    if not tps:
        click.echo("No touchpoints yet. Create one with: anbefal touchpoint add NAME")
        return
    click.echo("name\tlanguage\torigins")
    for tp in tps:
        origins = ", ".join(tp.origins) if tp.origins else "any origin"
        click.echo(f"{tp.name}\t{tp.language or 'auto'}\t{origins}")


@touchpoint.command("snippet")
@click.argument("name")
@click.option("--ref", help="Order or ticket id to attach to the answer.")
@click.option("--properties", help='Segment data as JSON, e.g. \'{"department": "north"}\'.')
@click.option("--language", type=click.Choice(i18n.LANGUAGES), help="Override the touchpoint's language.")
@click.option("--delay", type=click.IntRange(0, 3600), help="Seconds to wait before showing the survey.")
@click.option("--sample", type=click.FloatRange(0, 1), help="Share of visitors to ask, 0 to 1.")
@click.option("--position", type=click.Choice(look.POSITIONS), help="Where the survey shows.")
@click.option("--scroll", type=click.IntRange(1, 100), help="Show it once this % of the page was seen.")
@click.option("--exit", "exit_intent", is_flag=True, help="Show it when the mouse leaves the window (desktop only).")
@click.option("--customer", help="The shop's customer id (signed with --signed).")
@click.option(
    "--signed",
    is_flag=True,
    help="Add the signatures: of --ref and --customer, else placeholders for the shop's backend.",
)
@with_appcontext
def touchpoint_snippet(
    name: str,
    ref: str | None,
    properties: str | None,
    language: str | None,
    delay: int | None,
    sample: float | None,
    position: str | None,
    scroll: int | None,
    exit_intent: bool,
    customer: str | None,
    signed: bool,
) -> None:
    """Print exactly the HTML to paste into a page for touchpoint NAME."""
    tp = touchpoint_or_fail(name)
    identity: dict[str, str | None] = {"customer": customer}
    if signed or tp.require_verified:
        identity = dict(customers.signed_attributes(customers.signing_key(get_db()), ref, customer))
        ref = identity.pop("ref")
    if properties is not None:
        from ..errors import ApiError
        from ..validation import parse_properties_json

        try:
            parse_properties_json(properties)
        except ApiError as exc:
            raise click.BadParameter(exc.message, param_hint="--properties") from None
    click.echo(
        snippet_html(
            get_tokens().make_embed_token(tp.id),
            public_url(),
            ref=ref,
            properties=properties,
            lang=language,
            delay=None if delay is None else str(delay),
            sample=None if sample is None else f"{sample:g}",
            position=position,
            scroll=None if scroll is None else str(scroll),
            exit="" if exit_intent else None,
            **identity,
        )
    )
