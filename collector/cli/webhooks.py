"""`anbefal webhook`: endpoints that receive events of answers, signed, or as Slack alerts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import nps, storage
from ..db import get_db
from ..webhooks import endpoints, sender
from .base import main


@main.group()
def webhook() -> None:
    """Add, list, remove and test webhook endpoints."""


@webhook.command("add")
@click.argument("url")
@click.option(
    "--event", "events", multiple=True, type=click.Choice(storage.EVENT_TYPES), help="Only this event (repeatable)."
)
@click.option("--touchpoint", "touchpoints", multiple=True, help="Only answers at this touchpoint (repeatable).")
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=click.Choice(nps.CATEGORIES),
    help="Only this category (repeatable).",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(endpoints.FORMATS),
    default="standard",
    show_default=True,
    help="standard: signed JSON events; slack: Slack incoming-webhook messages.",
)
@with_appcontext
def webhook_add(
    url: str, events: tuple[str, ...], touchpoints: tuple[str, ...], categories: tuple[str, ...], format_: str
) -> None:
    """Add an endpoint at URL; print its id and its signing secret."""
    try:
        endpoint = endpoints.add_endpoint(
            get_db(),
            url,
            events=events,
            touchpoints=touchpoints,
            categories=categories,
            format=format_,
            allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"],
        )
    except endpoints.EndpointRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"id\t{endpoint.id}")
    click.echo(f"secret\t{endpoint.secret}")
    click.echo(
        f"Webhook {endpoint.id} gets {endpoints.describe_filters(get_db(), endpoint)}. "
        f"Check it with: anbefal webhook test {endpoint.id}",
        err=True,
    )


@webhook.command("list")
@with_appcontext
def webhook_list() -> None:
    """List endpoints: id, format, state, what they get, and their address."""
    found = storage.list_webhook_endpoints(get_db())
    if not found:
        click.echo("No webhooks yet. Add one with: anbefal webhook add URL")
        return
    click.echo("id\tformat\tstate\tgets\turl")
    for endpoint in found:
        gets = endpoints.describe_filters(get_db(), endpoint)
        click.echo(f"{endpoint.id}\t{endpoint.format}\t{endpoints.state(endpoint)}\t{gets}\t{endpoint.url}")


def _endpoint_or_fail(endpoint_id: int) -> storage.WebhookEndpoint:
    found = storage.get_webhook_endpoint(get_db(), endpoint_id)
    if found is None:
        raise click.ClickException(f"no webhook with id {endpoint_id} (see `anbefal webhook list`)")
    return found


@webhook.command("remove")
@click.argument("endpoint_id", metavar="ID", type=int)
@with_appcontext
def webhook_remove(endpoint_id: int) -> None:
    """Remove endpoint ID and the deliveries waiting for it."""
    endpoint = _endpoint_or_fail(endpoint_id)
    storage.delete_webhook_endpoint(get_db(), endpoint.id)
    click.echo(f"Removed webhook {endpoint.id} ({endpoint.url}).")


@webhook.command("test")
@click.argument("endpoint_id", metavar="ID", type=int)
@with_appcontext
def webhook_test(endpoint_id: int) -> None:
    """Send a webhook.test event to endpoint ID now, and say what its receiver answered."""
    endpoint = _endpoint_or_fail(endpoint_id)
    answer = sender.send_test(get_db(), endpoint.id, current_app.config)
    reply = f": {answer.text.strip()[:200]}" if answer.text.strip() else ""
    if answer.delivered:
        click.echo(f"Delivered: {endpoint.url} answered {answer.status}{reply}")
        return
    raise click.ClickException(f"not delivered: {answer.error}{reply}")
