"""The unsubscribe link every mail carries (RFC 8058): a signed token that
names the user and the kind of mail, needing no login.

GET shows a page that asks, with a button: mail scanners open every link of
a mail, so a GET never unsubscribes. POST unsubscribes, from that button or
straight from the mail program ("List-Unsubscribe=One-Click"); the token
itself is the proof, so there is no CSRF token and no cookie.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from .. import security, storage
from ..db import get_db, get_tokens
from ..tokens import InvalidToken
from . import texts

bp = Blueprint("mail", __name__, url_prefix="/mail")
CHANGES = {"alert": {"alerts": False}, "digest": {"digest": "off"}}


@bp.after_request
def _headers(response):
    security.apply(response, "link")
    response.headers["Cache-Control"] = "no-store"
    return response


def _read(token: str) -> tuple[storage.MailPreferences, str] | None:
    try:
        user_id, kind = get_tokens().read_unsubscribe_token(token)
    except InvalidToken:
        return None
    user = storage.mail_preferences(get_db(), user_id)
    return None if user is None else (user, kind)


def _page(token: str, unsubscribe: bool):
    found = _read(token)
    if found is None:
        words = texts.words(None)
        return render_template("mail/unsubscribe.html", w=words, language=texts.DEFAULT, gone=True), 404
    user, kind = found
    if unsubscribe:
        storage.set_mail_preferences(get_db(), user.user_id, **CHANGES[kind])
    words = texts.words(user.language)
    return render_template(
        "mail/unsubscribe.html",
        w=words,
        language=user.language,
        done=unsubscribe,
        what=words[f"what_{kind}"],
        email=user.email,
        gone=False,
    )


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """Ask whether to stop this kind of mail."""
    return _page(token, unsubscribe=False)


@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str):
    """Stop this kind of mail to this user (one click, RFC 8058)."""
    return _page(token, unsubscribe=True)
