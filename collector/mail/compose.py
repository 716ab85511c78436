"""Mails made from the outbox's rows: the alert of a detractor and the
digest, each a plain-text part and an HTML part (inline styles and tables,
which Outlook, Gmail and Apple Mail all show alike) in the recipient's
language, with a one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from .. import nps, storage, timestamps
from ..tokens import Tokens
from . import digest, texts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"
_html = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True)
_text = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, trim_blocks=True)


class Links:
    """The addresses a mail links to; none without ANBEFAL_PUBLIC_URL."""

    def __init__(self, public_url: str | None, tokens: Tokens, user_id: int):
        self.base = public_url.rstrip("/") if public_url else None
        self.tokens = tokens
        self.user_id = user_id

    def followup(self, response_id: int) -> str | None:
        return f"{self.base}/admin/responses/{response_id}" if self.base else None

    def overview(self, query: str = "") -> str | None:
        return f"{self.base}/admin/" + (f"?{query}" if query else "") if self.base else None

    def unsubscribe(self, kind: str) -> str | None:
        if not self.base:
            return None
        return f"{self.base}/mail/unsubscribe/{self.tokens.make_unsubscribe_token(self.user_id, kind)}"


def _render(name: str, **context: Any) -> tuple[str, str]:
    helpers = {"format_nps": nps.format_nps, "signed": nps.format_change, "readable": timestamps.readable}
    return (
        _text.get_template(f"{name}.txt").render(**helpers, **context),
        _html.get_template(f"{name}.html").render(**helpers, **context),
    )


def message(
    config: Mapping[str, Any], to: str, subject: str, text: str, html: str, unsubscribe: str | None, key: str
) -> EmailMessage:
    """An EmailMessage with a text part and an HTML alternative."""
    msg = EmailMessage()
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    domain = urlsplit(config.get("PUBLIC_URL") or "").hostname or "anbefal.invalid"
    msg["Message-ID"] = make_msgid(idstring=key.replace(":", "."), domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def alert(
    conn: sqlite3.Connection,
    mail: storage.Mail,
    user: storage.MailPreferences,
    config: Mapping[str, Any],
    tokens: Tokens,
) -> EmailMessage | None:
    """The alert of one detractor; None when the answer is no detractor's any more (or gone)."""
    response = storage.get_response(conn, mail.response_id) if mail.response_id is not None else None
    if response is None or nps.category(response["score"]) != nps.DETRACTOR:
        return None
    words = texts.words(user.language)
    links = Links(config.get("PUBLIC_URL"), tokens, user.user_id)
    assignee = storage.get_user(conn, response["followup_assignee"]) if response["followup_assignee"] else None
    context = {
        "w": words,
        "language": user.language,
        "r": response,
        "assignee": assignee.email if assignee else None,
        "followup_url": links.followup(response["id"]),
        "unsubscribe_url": links.unsubscribe("alert"),
        "subject": words["alert_subject"].format(score=response["score"], touchpoint=response["touchpoint"]),
    }
    text, html = _render("alert", **context)
    return message(config, user.email, context["subject"], text, html, context["unsubscribe_url"], mail.key)


def digest_message(
    conn: sqlite3.Connection,
    period: digest.Period,
    user: storage.MailPreferences,
    config: Mapping[str, Any],
    tokens: Tokens,
    key: str = "digest",
) -> EmailMessage:
    """The digest of *period* for *user*."""
    words = texts.words(user.language)
    links = Links(config.get("PUBLIC_URL"), tokens, user.user_id)
    found = digest.build(conn, period, config["MIN_ANSWERS"])
    flt = digest.filters_for(period)
    span = f"{period.since.isoformat()} – {period.until.isoformat()}"
    previous = found.previous
    context = {
        "w": words,
        "language": user.language,
        "d": found,
        "period_text": words["digest_period"].format(
            since=period.since.isoformat(),
            until=period.until.isoformat(),
            prev_since=previous.since.isoformat() if previous and previous.since else "",
            prev_until=previous.until.isoformat() if previous and previous.until else "",
        ),
        "frequency": words["digest_why"].format(frequency=words[period.frequency]),
        "overview_url": links.overview(flt.query()),
        "card_url": lambda row: (
            links.overview(flt.query(touchpoint_id=row.card.touchpoint.id))
            if row.card.touchpoint
            else links.overview(flt.query())
        ),
        "followup_url": links.followup,
        "unsubscribe_url": links.unsubscribe("digest"),
        "subject": words[f"digest_subject_{period.frequency}"].format(period=span),
        "categories": nps.CATEGORIES,
    }
    text, html = _render("digest", **context)
    return message(config, user.email, context["subject"], text, html, context["unsubscribe_url"], key)


def compose(
    conn: sqlite3.Connection, mail: storage.Mail, config: Mapping[str, Any], tokens: Tokens
) -> EmailMessage | None:
    """The message of an outbox row; None when there is nothing to send any more."""
    user = storage.mail_preferences(conn, mail.user_id)
    if user is None:
        return None
    if mail.kind == "alert":
        return alert(conn, mail, user, config, tokens) if user.alerts else None
    if user.digest == "off":
        return None
    period = digest.Period.from_body(json.loads(mail.body))
    return digest_message(conn, period, user, config, tokens, mail.key)
