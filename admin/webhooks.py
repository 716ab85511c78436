"""Webhooks in the admin: add, pause, resume and remove endpoints, see their
secrets, send a test, and the recent deliveries, each of which may be sent again."""

from __future__ import annotations

import json
import time

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from collector import nps, storage
from collector.db import get_db
from collector.timestamps import from_unix
from collector.webhooks import endpoints, sender
from collector.webhooks.addresses import MAX_URL

from .auth import login_required
from .blueprint import bp

RECENT = 50


def answer_label(delivery: storage.Delivery) -> str:
    """Name a delivery's answer as the follow-up pages do ("the 2 on
    checkout"), from the event it carries, not by its row id."""
    try:
        data = json.loads(delivery.body).get("data") or {}
        return f"the {int(data['score'])} on {data['touchpoint']}"
    except (ValueError, TypeError, KeyError, AttributeError):
        return "its answer"


def _page(form: dict, error: str | None = None, status: int = 200):
    conn = get_db()
    found = storage.list_webhook_endpoints(conn)
    return render_template(
        "admin/webhooks.html",
        endpoints=found,
        gets={e.id: endpoints.describe_filters(conn, e) for e in found},
        states={e.id: endpoints.state(e) for e in found},
        deliveries=storage.recent_deliveries(conn, limit=RECENT),
        answer_label=answer_label,
        touchpoints=storage.list_touchpoints(conn),
        event_types=storage.EVENT_TYPES,
        categories=nps.CATEGORIES,
        formats=endpoints.FORMATS,
        form=form,
        error=error,
        max_url=MAX_URL,
        from_unix=from_unix,
        public_url=current_app.config.get("PUBLIC_URL"),
    ), status


@bp.get("/webhooks")
@login_required
def webhooks():
    """List the endpoints and the recent deliveries, with a form to add an endpoint."""
    return _page({"url": "", "format": "standard", "events": [], "touchpoints": [], "categories": []})


@bp.post("/webhooks")
@login_required
def add_webhook():
    """Add an endpoint; a refused one comes back as typed, with the reason."""
    form = {
        "url": request.form.get("url", "").strip(),
        "format": request.form.get("format", "standard"),
        "events": request.form.getlist("events"),
        "touchpoints": request.form.getlist("touchpoints"),
        "categories": request.form.getlist("categories"),
    }
    try:
        endpoint = endpoints.add_endpoint(
            get_db(),
            form["url"],
            events=form["events"],
            touchpoints=form["touchpoints"],
            categories=form["categories"],
            format=form["format"],
            allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"],
        )
    except endpoints.EndpointRefused as exc:
        return _page(form, f"The webhook was not added: {exc}.", 400)
    flash(f"Added webhook {endpoint.id}. Its signing secret is under “Secret”; send a test to check it.")
    return redirect(url_for("admin.webhooks") + f"#webhook-{endpoint.id}")


def _endpoint_or_404(endpoint_id: int) -> storage.WebhookEndpoint:
    found = storage.get_webhook_endpoint(get_db(), endpoint_id)
    if found is None:
        abort(404)
    return found


@bp.post("/webhooks/<id:endpoint_id>/pause")
@login_required
def pause_webhook(endpoint_id: int):
    """Pause an endpoint (its events wait), or resume it."""
    endpoint = _endpoint_or_404(endpoint_id)
    resume = request.form.get("resume") == "1"
    storage.pause_webhook_endpoint(get_db(), endpoint.id, not resume)
    if resume:
        flash(f"Webhook {endpoint.id} resumed: the events that waited go out now.")
    else:
        flash(f"Webhook {endpoint.id} paused: its events wait until it is resumed.")
    return redirect(url_for("admin.webhooks") + f"#webhook-{endpoint.id}")


@bp.post("/webhooks/<id:endpoint_id>/remove")
@login_required
def remove_webhook(endpoint_id: int):
    """Remove an endpoint and the deliveries waiting for it."""
    endpoint = _endpoint_or_404(endpoint_id)
    storage.delete_webhook_endpoint(get_db(), endpoint.id)
    flash(f"Removed webhook {endpoint.id} ({endpoint.url}).")
    return redirect(url_for("admin.webhooks"))


@bp.post("/webhooks/<id:endpoint_id>/test")
@login_required
def test_webhook(endpoint_id: int):
    """Send a webhook.test event now and say what the receiver answered."""
    endpoint = _endpoint_or_404(endpoint_id)
    answer = sender.send_test(get_db(), endpoint.id, current_app.config)
    if answer.delivered:
        flash(f"Test sent to webhook {endpoint.id}: the receiver answered {answer.status}.")
    else:
        flash(f"Test to webhook {endpoint.id} not delivered: {answer.error}.")
    return redirect(url_for("admin.webhooks") + "#deliveries")


@bp.post("/webhooks/deliveries/<id:delivery_id>/resend")
@login_required
def resend_delivery(delivery_id: int):
    """Queue a delivery to be sent again at once, with the same webhook-id."""
    if not storage.resend_delivery(get_db(), delivery_id, int(time.time())):
        abort(404)
    flash(f"Delivery {delivery_id} will be sent again within seconds.")
    return redirect(url_for("admin.webhooks") + "#deliveries")
