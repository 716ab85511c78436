"""The survey link pages: what a person sees after clicking a score in a mail.

GET and HEAD only show the page; they never write, since mail scanners
(Safe Links, Mimecast, Proofpoint) open every link of a mail, some in a
headless browser that runs scripts. The score is stored by a POST: the
page's script sends it once a person acts on the page (pointer, touch, key
or wheel), and the form sends it with the comment. Without JavaScript the
form alone does the job. Nothing here reads or sets a cookie: the form
carries a signed token of its own instead of a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, g, render_template, request, url_for
from werkzeug.exceptions import TooManyRequests

from .. import assets, bots, drivers, errors, i18n, next_steps, nps, security, storage, validation
from ..db import get_db, get_tokens
from ..errors import ApiError
from ..tokens import ExpiredToken, InvalidToken
from . import sender
from .making import PREFIX, SCORES, looks_like_placeholder
from .texts import LINK_TEXTS, link_texts_for

bp = Blueprint("links", __name__, url_prefix=PREFIX)

HONEYPOT_FIELD = "anbefal_hp"
MAX_FORM_BODY = 64 * 1024
ASSETS = {"page.js": "text/javascript", "page.css": "text/css"}
_SCORE_TEXTS = {str(score): score for score in SCORES}


@bp.after_request
def _security_headers(response):
    logo = g.get("link_logo_origin")
    security.apply(response, "link", logo=f" {logo}" if logo else "")
    if request.endpoint != "links.asset":
        response.headers["Cache-Control"] = "no-store"
    return response


class LinkPageError(Exception):
    """A link that cannot take an answer: shown as a page with a 4xx status."""

    def __init__(self, status: int, kind: str, language: str, **details: str):
        super().__init__(kind)
        self.status = status
        self.kind = kind
        self.language = language
        self.details = details


@bp.errorhandler(LinkPageError)
def _link_error(exc: LinkPageError):
    texts = LINK_TEXTS[exc.language]
    return (
        render_template(
            "links/message.html",
            language=exc.language,
            texts=texts,
            title=texts[f"{exc.kind}_title"],
            text=texts[f"{exc.kind}_text"].format(**exc.details),
        ),
        exc.status,
    )


@bp.errorhandler(TooManyRequests)
def _too_many_answers(exc: TooManyRequests):
    """Rate limited (collector.ratelimit): the form again, in the person's
    language, with what they typed and when to send it again."""
    retry_after = int(exc.retry_after or 60)
    headers = {"Retry-After": str(retry_after)}
    try:
        found = resolve((request.view_args or {}).get("token", ""))
    except LinkPageError as error:
        return _link_error(error)
    form = request.form
    message = found.texts()["rate_limited"].format(seconds=retry_after)
    body, status = _refused(
        found, parse_score(form.get("score")), form.get("comment", ""), message, form.get("save") == "score", 429
    )
    return body, status, headers


def _storage_fault(fault: storage.Fault):
    """A fault on the server's storage (collector.errors): the form again, in
    the person's language, with what they typed and a request to send it again."""
    form = request.form
    try:
        found = resolve((request.view_args or {}).get("token", ""))
    except Exception:  # the link cannot be read now either: a page in the browser's language
        language = browser_language()
        texts = LINK_TEXTS[language]
        body = render_template(
            "links/message.html", language=language, texts=texts, title=texts["title"], text=texts["storage_fault"]
        )
        return body, 503
    texts = found.texts()
    return _refused(
        found,
        parse_score(form.get("score")),
        form.get("comment", ""),
        texts["storage_fault"],
        form.get("save") == "score",
        503,
    )


errors.FAULT_PAGES[bp.name] = _storage_fault


def browser_language() -> str:
    """The first language of the browser's Accept-Language that we speak, else English."""
    return i18n.choose(*request.accept_languages.values())


@dataclass
class Survey:
    """A link that can take an answer: its touchpoint, ref and language."""

    token: str
    touchpoint: storage.Touchpoint
    ref: str
    ref_signed: bool
    language: str

    @property
    def action(self) -> str:
        # An unsigned ref travels in the query, as it came; a signed one is in the token.
        return url_for("links.survey", token=self.token, ref=None if self.ref_signed else self.ref)

    def texts(self) -> dict[str, Any]:
        return link_texts_for(self.touchpoint, self.language)


def resolve(token: str) -> Survey:
    """Return what the link in this request points at, or raise LinkPageError."""
    try:
        link = get_tokens().read_link_token(token)
    except ExpiredToken as exc:
        assert exc.link is not None
        touchpoint = storage.get_touchpoint(get_db(), exc.link.touchpoint_id)
        language = i18n.choose(touchpoint.language if touchpoint else None, browser_language())
        raise LinkPageError(410, "expired", language) from None
    except InvalidToken:
        raise LinkPageError(404, "invalid", browser_language()) from None
    touchpoint = storage.get_touchpoint(get_db(), link.touchpoint_id)
    if touchpoint is None:
        raise LinkPageError(404, "gone", browser_language())
    language = i18n.choose(touchpoint.language, browser_language())
    if link.ref is not None:
        return Survey(token, touchpoint, link.ref, True, language)
    try:
        ref = validation.ref(request.args.get("ref"))
    except ApiError:
        raise LinkPageError(400, "invalid", language) from None
    if ref is None:
        raise LinkPageError(400, "no_ref", language)
    if looks_like_placeholder(ref, link.placeholder):
        # The mail template never filled in the ticket id. Storing this would
        # put every such recipient's answer on one shared ref, each
        # overwriting the last, so nothing is stored and the page says why.
        current_app.logger.warning("survey link for %r came with its placeholder %r unreplaced", touchpoint.name, ref)
        raise LinkPageError(400, "placeholder", language, placeholder=ref[:60])
    return Survey(token, touchpoint, ref, False, language)


def _sender(touchpoint: storage.Touchpoint) -> storage.Touchpoint:
    """The touchpoint whose sender name, logo and colours the page shows; its
    logo's origin goes into the page's Content-Security-Policy."""
    g.link_logo_origin = sender.logo_origin(touchpoint.logo_url)
    return touchpoint


def _opened_with_score() -> bool:
    """Whether the page was opened from a link with a score (one of a mail's
    eleven), told on by the form so the thanks can say so."""
    if request.method == "POST":
        return request.form.get("scored") == "1"
    return parse_score(request.args.get("score")) is not None


def parse_score(value: Any) -> int | None:
    return _SCORE_TEXTS.get(value) if isinstance(value, str) else None


def render_survey(survey: Survey, score: int | None, comment: str = "", error: str | None = None, status: int = 200):
    texts = survey.texts()
    followups = texts["followup"]
    followup = followups[nps.category(score)] if score is not None else texts["reason"]
    return (
        render_template(
            "links/survey.html",
            language=survey.language,
            texts=texts,
            score=score,
            scores=SCORES,
            category=nps.category,
            followup=followup,
            comment=comment,
            max_comment=validation.MAX_COMMENT,
            error=error,
            action=survey.action,
            sender=_sender(survey.touchpoint),
            scored=_opened_with_score(),
            form_token=get_tokens().make_link_form_token(survey.touchpoint.id, survey.ref),
            honeypot=HONEYPOT_FIELD,
            **_driver_context(survey),
        ),
        status,
    )


def _driver_context(survey: Survey) -> dict[str, Any]:
    """The touchpoint's drivers for the page, with the ratings a refused form had chosen."""
    found = storage.list_drivers(get_db(), survey.touchpoint.id)
    chosen = {d.key: request.form.get(f"driver.{d.key}", "") for d in found} if request.method == "POST" else {}
    return {"drivers": found, "driver_texts": drivers.step_texts(survey.language), "chosen_ratings": chosen}


def parse_ratings(survey: Survey) -> dict[int, int]:
    """The ratings the form sent, as {slot: rating}; DriverError for one that is not 1-5."""
    ratings = {}
    for d in storage.list_drivers(get_db(), survey.touchpoint.id):
        raw = request.form.get(f"driver.{d.key}", "")
        if raw:
            if raw not in {"1", "2", "3", "4", "5"}:
                raise drivers.DriverError(f"not a rating: {raw[:10]}")
            ratings[d.slot] = int(raw)
    return ratings


@bp.get("/<token>")
def survey(token: str):
    """Show the question with the clicked score selected; store nothing."""
    found = resolve(token)
    return render_survey(found, parse_score(request.args.get("score")))


@bp.post("/<token>")
def answer(token: str):
    """Store the score (and comment) a person sent from the page."""
    request.max_content_length = MAX_FORM_BODY
    found = resolve(token)
    form = request.form
    score_only = form.get("save") == "score"  # the page's script, the moment a person acts
    texts = found.texts()
    comment_text = form.get("comment", "")
    if bots.request_is_from_bot():
        # A known bot or crawler is thanked as a person would be; nothing is stored.
        return _thanks(found, score_only)
    if form.get(HONEYPOT_FIELD):
        # Only a program fills a field that people cannot see: it is thanked
        # as a person would be, and nothing is stored.
        current_app.logger.info("survey link for %r: honeypot filled, nothing stored", found.touchpoint.name)
        return _thanks(found, score_only)
    score = parse_score(form.get("score"))
    try:
        get_tokens().check_link_form_token(
            form.get("form_token"), found.touchpoint.id, found.ref, current_app.config["LINK_FORM_MAX_AGE"]
        )
    except ExpiredToken:
        return _refused(found, score, comment_text, texts["form_expired"], score_only)
    except InvalidToken:
        return _refused(found, score, comment_text, texts["form_invalid"], score_only)
    if score is None:
        return _refused(found, None, comment_text, texts["choose_score"], score_only)
    try:
        comment = None if score_only else validation.comment(comment_text)
        ratings = None if score_only else parse_ratings(found)
    except (ApiError, drivers.DriverError):
        return _refused(found, score, comment_text, texts["error"], score_only)
    storage.upsert_link_response(
        get_db(), found.touchpoint.id, found.ref, score, comment=comment, locale=found.language, ratings=ratings
    )
    return _thanks(found, score_only, score)


def _refused(survey: Survey, score: int | None, comment: str, message: str, score_only: bool, status: int = 400):
    """Show the form again, with what the person sent and a fresh form token; store nothing."""
    if score_only:
        return "", status
    return render_survey(survey, score, comment[: validation.MAX_COMMENT], message, status)


def _thanks(survey: Survey, score_only: bool, score: int | None = None):
    """Thank the person with a page (and the touchpoint's next step for the
    score); the page's script, which sent the score alone, needs no body."""
    if score_only:
        return "", 204
    texts = survey.texts()
    # A page opened from one of the mail's score links may point back to the
    # others; one opened from a link without a score has no numbers to click.
    change = texts["change"] if _opened_with_score() else texts["change_unscored"]
    return render_template(
        "links/message.html",
        language=survey.language,
        texts=texts,
        title=texts["thanks"],
        text=change,
        sender=_sender(survey.touchpoint),
        next_step=None if score is None else next_steps.offer(survey.touchpoint, score, survey.ref),
    )


@bp.get("/brand-<colour>.css")
def brand(colour: str):
    """The sender's brand colour as a stylesheet of one custom property: the
    page's policy allows no inline style."""
    try:
        parsed = sender.parse_brand_colour("#" + colour)
    except ValueError:
        parsed = None
    if parsed is None or parsed != "#" + colour:
        return "", 404
    response = current_app.response_class(f":root {{ --brand: {parsed}; }}\n", mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/page.js", defaults={"name": "page.js"})
@bp.get("/page.css", defaults={"name": "page.css"})
def asset(name: str):
    """The page's script and stylesheet: files of their own, so the page needs nothing inline."""
    found = assets.package_asset("collector", "assets", name)
    response = current_app.response_class(found.body, mimetype=ASSETS[name])
    response.set_etag(found.etag)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response.make_conditional(request)
