"""Adding an endpoint, for the command line and the admin alike: every check in one place."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .. import nps, storage
from .addresses import AddressRefused, check_endpoint_url
from .signing import new_secret

FORMATS = ("standard", "slack")


class EndpointRefused(ValueError):
    """An endpoint that cannot be added; the message says why, for people."""


def add_endpoint(
    conn: sqlite3.Connection,
    url: str,
    *,
    events: Iterable[str] = (),
    touchpoints: Iterable[str] = (),
    categories: Iterable[str] = (),
    format: str = "standard",
    allow_private: bool = False,
) -> storage.WebhookEndpoint:
    """Check and store an endpoint with a new secret; raise EndpointRefused, storing nothing, when it is wrong."""
    url = url.strip()
    try:
        check_endpoint_url(url, allow_private=allow_private)
    except AddressRefused as exc:
        raise EndpointRefused(str(exc)) from None
    if format not in FORMATS:
        raise EndpointRefused(f"unknown format {format!r}: choose standard or slack")
    events, categories = list(events), list(categories)
    for event in events:
        if event not in storage.EVENT_TYPES:
            raise EndpointRefused(f"unknown event {event!r}: choose from {', '.join(storage.EVENT_TYPES)}")
    for category in categories:
        if category not in nps.CATEGORIES:
            raise EndpointRefused(f"unknown category {category!r}: choose from {', '.join(nps.CATEGORIES)}")
    touchpoint_ids = []
    for name in touchpoints:
        found = storage.get_touchpoint_by_name(conn, name)
        if found is None:
            raise EndpointRefused(f"no touchpoint called {name!r}")
        touchpoint_ids.append(found.id)
    endpoint_id = storage.insert_webhook_endpoint(
        conn, url, new_secret(), format=format, events=events, touchpoints=touchpoint_ids, categories=categories
    )
    endpoint = storage.get_webhook_endpoint(conn, endpoint_id)
    assert endpoint is not None
    return endpoint


def describe_filters(conn: sqlite3.Connection, endpoint: storage.WebhookEndpoint) -> str:
    """What an endpoint receives, in words: "every event", "response.created of detractors at checkout"."""
    events = ", ".join(endpoint.events) or "every event"
    parts = [events]
    if endpoint.categories:
        parts.append("of " + ", ".join(f"{category}s" for category in endpoint.categories))
    if endpoint.touchpoints:
        names = {tp.id: tp.name for tp in storage.list_touchpoints(conn)}
        parts.append("at " + ", ".join(names.get(i, f"(removed touchpoint {i})") for i in endpoint.touchpoints))
    return " ".join(parts)


def state(endpoint: storage.WebhookEndpoint) -> str:
    """Active, paused, or disabled and why."""
    if endpoint.disabled_reason:
        return f"disabled: {endpoint.disabled_reason}"
    return "paused" if endpoint.paused else "active"
