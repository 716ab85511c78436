"""The public API that the widget (and anyone's browser) talks to.

CORS is enabled on this blueprint only, and each touchpoint decides which
origins may use it: a request from any other origin is refused before
anything is stored.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, request
from flask_cors import CORS

from . import bots, customers, drivers, i18n, look, next_steps, nps, params, storage, timestamps, validation, visitors
from .db import get_db, get_tokens
from .errors import ApiError
from .tokens import ExpiredToken, InvalidToken
from .touchpoint_settings import fill_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")

RESPONSE_FIELDS = {"token", "score", "comment", "ref", "properties", "locale", "page", "drivers", *customers.FIELDS}
EVENT_FIELDS = {"token", "event", "customer", "customer_sig"}
# What the widget reports; a click on the next step is counted by GET /next.
WIDGET_EVENTS = ("shown", "dismissed")
UPDATE_FIELDS = {"secret", "comment", "score", "drivers"}


@bp.after_request
def _withhold_cors_from_refused_origins(response):
    # Registered before CORS(bp), so it runs after flask-cors has added its
    # headers: a refused origin must not be able to read the answer either.
    if g.get("origin_refused"):
        response.headers.pop("Access-Control-Allow-Origin", None)
    return response


# Origins are reflected here and checked per touchpoint in the views; no
# credentials are ever allowed, since the widget sends no cookies.
CORS(
    bp,
    origins="*",
    send_wildcard=False,
    methods=["GET", "POST", "PATCH", "OPTIONS"],
    allow_headers=["Content-Type"],
    # The widget waits as long as a 429 or 503 asks before it tries again.
    expose_headers=["Retry-After"],
    supports_credentials=False,
    max_age=86400,
)


@bp.before_request
def _limit_body():
    request.max_content_length = current_app.config["API_MAX_BODY"]


def touchpoint_from_token(token: Any) -> storage.Touchpoint:
    """Return the touchpoint an embed token names, or raise a 4xx ApiError."""
    try:
        touchpoint_id = get_tokens().read_embed_token(token)
    except InvalidToken as exc:
        raise ApiError(400, "invalid_token", "the token is missing, malformed or not genuine") from exc
    touchpoint = storage.get_touchpoint_shared(get_db(), touchpoint_id)
    if touchpoint is None:
        raise ApiError(404, "unknown_touchpoint", "the touchpoint of this token no longer exists")
    return touchpoint


def check_origin(touchpoint: storage.Touchpoint) -> None:
    """Refuse a browser request from an origin the touchpoint does not allow.

    Requests without an Origin header (same-origin GETs, server-side calls)
    pass: the header only matters where a browser enforces CORS.
    """
    origin = request.headers.get("Origin")
    if touchpoint.origins and origin is not None and origin not in touchpoint.origins:
        g.origin_refused = True
        raise ApiError(403, "origin_not_allowed", f"this touchpoint does not accept answers from {origin[:100]}")


@bp.get("/widget")
def widget_config():
    """Return what the widget needs to ask a touchpoint's question."""
    touchpoint = touchpoint_from_token(request.args.get("token"))
    check_origin(touchpoint)
    language = i18n.choose(request.args.get("lang"), touchpoint.language, request.args.get("page_lang"))
    identity = _identity(None, None, request.args.get("customer") or None, request.args.get("customer_sig"))
    texts = i18n.texts_for(touchpoint, language)
    return {
        # False for a verified customer within the quiet days: the widget stays away.
        "ask": not customers.is_quiet(get_db(), identity, current_app.config["CUSTOMER_QUIET_DAYS"]),
        "touchpoint": touchpoint.id,
        "language": language,
        "repeat_days": touchpoint.repeat_days,
        "sample_rate": touchpoint.sample_rate,
        "texts": texts,
        # Each radio's name, made here so that the widget carries no string work.
        "score_labels": i18n.score_labels(texts),
        "followups": i18n.followups(texts),
        "position": touchpoint.widget_position,
        "look": look.widget_look(touchpoint),
        **driver_config(touchpoint, language),
    }


def _widget_post(allowed: set[str]) -> tuple[dict[str, Any], storage.Touchpoint]:
    """Return the body of a POST from the widget and its touchpoint, from an origin it allows."""
    body = validation.parse_json_body(request)
    validation.only_fields(body, allowed)
    touchpoint = touchpoint_from_token(body.get("token"))
    check_origin(touchpoint)
    return body, touchpoint


def driver_config(touchpoint: storage.Touchpoint, language: str) -> dict[str, Any]:
    """What the widget needs to ask the touchpoint's drivers (nothing without any)."""
    found = storage.list_drivers(get_db(), touchpoint.id)
    if not found:
        return {}
    texts = drivers.step_texts(language)
    return {
        "drivers": [{"key": d.key, "question": d.question} for d in found],
        "driver_texts": texts,
        "rating_labels": drivers.rating_labels(texts),
    }


def ratings(touchpoint_id: int, value: Any) -> dict[int, int] | None:
    """The driver ratings a request sent, as {slot: rating}, or a 400 ApiError."""
    if value is None:
        return None
    found = storage.list_drivers(get_db(), touchpoint_id)
    try:
        given = drivers.parse_ratings(value, [d.key for d in found])
    except drivers.DriverError as exc:
        raise ApiError(400, "invalid_drivers", str(exc)) from exc
    slots = {d.key: d.slot for d in found}
    return {slots[key]: rating for key, rating in given.items()}


@bp.post("/responses")
def create_response():
    """Store a score (and optionally a comment) from the widget."""
    body, touchpoint = _widget_post(RESPONSE_FIELDS)
    fields = {
        "score": validation.score(body.get("score")),
        "comment": validation.comment(body.get("comment")),
        "ref": validation.ref(body.get("ref")),
        "properties": validation.properties(body.get("properties")),
        "locale": validation.locale(body.get("locale")),
        "page": validation.page(body.get("page")),
        "ratings": ratings(touchpoint.id, body.get("drivers")),
    }
    identity = _identity(fields["ref"], body.get("ref_sig"), body.get("customer"), body.get("customer_sig"))
    _require_signature(touchpoint, identity)
    if bots.request_is_from_bot():
        # Told it was stored, so it has no reason to retry; nothing is.
        next_step = next_steps.offer(touchpoint, fields["score"], fields["ref"])
        return {"id": 0, "secret": get_tokens().make_edit_secret(0), "next_step": next_step}, 201
    conn = get_db()
    window = current_app.config["DEDUP_WINDOW"]  # a whole number, checked at start
    if fields["ref"] is None and window > 0:
        # Without a ref, one visitor's answers to one touchpoint within the
        # window count once: the last one wins, in the same row.
        fields.pop("ref")
        response_id = storage.store_visitor_response(
            conn,
            touchpoint.id,
            channel="widget",
            visitor=visitors.current_visitor(),
            since=timestamps.utc_seconds_ago(window),
            verified=identity.verified,
            **fields,
        )
    else:
        # One atomic statement, no BEGIN/COMMIT round trips: it queues for the
        # writers' turn itself and holds it only while SQLite writes.
        response_id = storage.insert_response(
            conn, touchpoint.id, channel="widget", verified=identity.verified, **fields
        )
    customers.note_seen(conn, identity, current_app.config["CUSTOMER_QUIET_DAYS"])
    secret = get_tokens().make_edit_secret(response_id)
    next_step = next_steps.offer(touchpoint, fields["score"], fields.get("ref"))
    return {"id": response_id, "secret": secret, "next_step": next_step}, 201


@bp.patch("/responses/<id:response_id>")
def update_response(response_id: int):
    """Add the comment to (or change the score of) a response just stored."""
    body = validation.parse_json_body(request)
    validation.only_fields(body, UPDATE_FIELDS)
    try:
        get_tokens().check_edit_secret(body.get("secret"), response_id, current_app.config["EDIT_SECRET_MAX_AGE"])
    except ExpiredToken as exc:
        raise ApiError(403, "secret_expired", "this answer can no longer be changed") from exc
    except InvalidToken as exc:
        raise ApiError(403, "invalid_secret", "the secret does not belong to this answer") from exc
    score = validation.score(body["score"]) if "score" in body else None
    comment = validation.comment(body.get("comment"))
    if score is None and comment is None and not body.get("drivers"):
        raise ApiError(400, "nothing_to_update", "send a comment, a score or driver ratings")
    if bots.request_is_from_bot():
        # Nothing was stored, so there is no score to tell but the one sent;
        # ratings that no touchpoint could take are refused as anyone's are.
        if body.get("drivers") is not None:
            try:
                drivers.check_ratings_shape(body["drivers"])
            except drivers.DriverError as exc:
                raise ApiError(400, "invalid_drivers", str(exc)) from exc
        return {"id": response_id, "score": score, "comment": comment, "next_step": None}
    conn = get_db()
    existing = storage.get_response(conn, response_id)
    if existing is None:
        raise ApiError(404, "not_found", "no such response")
    touchpoint = storage.get_touchpoint(conn, existing["touchpoint_id"])
    assert touchpoint is not None  # responses are deleted with their touchpoint
    check_origin(touchpoint)
    given = ratings(touchpoint.id, body.get("drivers"))
    if not storage.update_response(conn, response_id, score=score, comment=comment, ratings=given):
        raise ApiError(404, "not_found", "no such response")
    updated = storage.get_response(conn, response_id)
    assert updated is not None
    next_step = next_steps.offer(touchpoint, updated["score"], updated["ref"])
    return {
        "id": response_id,
        "score": updated["score"],
        "comment": updated["comment"],
        "drivers": updated["drivers"],
        "next_step": next_step,
    }


def _identity(ref: str | None, ref_sig: Any, customer: Any, customer_sig: Any) -> customers.Identity:
    """Check the shop's signatures of the ref and the customer id (see collector.customers)."""
    customer = validation.text(customer, "customer", validation.MAX_REF)
    for name, value in (("ref_sig", ref_sig), ("customer_sig", customer_sig)):
        validation.text(value, name, customers.MAX_SIGNATURE)
    return customers.check(get_db(), ref, ref_sig, customer, customer_sig)


def _require_signature(touchpoint: storage.Touchpoint, identity: customers.Identity) -> None:
    if touchpoint.require_verified and not identity.verified:
        raise ApiError(
            403,
            "invalid_signature",
            "this touchpoint takes only answers whose ref or customer id is signed by the shop",
        )


@bp.post("/events")
def widget_event():
    """Count that the widget was shown, or closed without an answer (not for bots)."""
    body, touchpoint = _widget_post(EVENT_FIELDS)
    event = body.get("event")
    if event not in WIDGET_EVENTS:
        raise validation.bad("invalid_event", "event must be shown or dismissed")
    identity = _identity(None, None, body.get("customer"), body.get("customer_sig"))
    if not bots.request_is_from_bot():
        conn = get_db()
        storage.count_event(conn, touchpoint.id, event)
        if event == "dismissed":
            customers.note_seen(conn, identity, current_app.config["CUSTOMER_QUIET_DAYS"])
    return "", 204


@bp.get("/next")
def follow_next_step():
    """Count a click on a next step and send the browser on to the owner's address."""
    touchpoint = touchpoint_from_token(request.args.get("token"))
    score = params.whole_number(request.args.get("score"))
    if score is None or score not in nps.SCORES:
        raise validation.bad("invalid_score", "score must be an integer from 0 to 10")
    ref = validation.ref(request.args.get("ref"))
    step = touchpoint.next_step(nps.category(score))
    if step is None:
        raise ApiError(404, "not_found", "this touchpoint offers no next step for this score")
    if not bots.request_is_from_bot():
        storage.count_event(get_db(), touchpoint.id, "clicked")
    return redirect(fill_url(step[1], score, ref), 303)
