"""The logged-in user's own mail choices: detractor alerts (for which
touchpoints), the digest (weekly, daily or none) and the language, with
whether mail is on at all and the latest mails sent to them."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from collector import params, storage
from collector.db import get_db
from collector.mail import texts
from collector.mail.outgoing import mail_is_on

from .auth import current_user, login_required
from .blueprint import bp

DIGEST_LABELS = {"weekly": "Weekly (Monday 08:00)", "daily": "Daily (08:00)", "off": "No digest"}
STATUS_LABELS = {
    "pending": "waiting",
    "sending": "being sent",
    "sent": "sent",
    "failed": "failed",
    "interrupted": "interrupted (may have arrived)",
    "cancelled": "not needed any more",
}


def _page(choices: storage.MailPreferences, error: str | None = None, status: int = 200):
    conn = get_db()
    return render_template(
        "admin/notifications.html",
        choices=choices,
        error=error,
        touchpoints=storage.list_touchpoints(conn),
        languages=texts.LANGUAGES,
        digests=DIGEST_LABELS,
        mail_on=mail_is_on(current_app.config),
        public_url=current_app.config.get("PUBLIC_URL"),
        timezone=current_app.config["TIMEZONE"],
        mails=storage.list_mail(conn, choices.user_id, limit=20),
        status_labels=STATUS_LABELS,
    ), status


@bp.get("/notifications")
@login_required
def notifications():
    """Show the logged-in user's mail choices."""
    user = current_user()
    assert user is not None
    choices = storage.mail_preferences(get_db(), user.id)
    assert choices is not None
    return _page(choices)


@bp.post("/notifications")
@login_required
def save_notifications():
    """Save the logged-in user's mail choices; a wrong value changes nothing."""
    user = current_user()
    assert user is not None
    conn = get_db()
    choices = storage.mail_preferences(conn, user.id)
    assert choices is not None
    known = {tp.id for tp in storage.list_touchpoints(conn)}
    chosen = [params.whole_number(value, minimum=1) for value in request.form.getlist("touchpoints")]
    language = request.form.get("language", "")
    digest = request.form.get("digest", "")
    alerts = request.form.get("alerts", "")
    error = None
    if language not in texts.LANGUAGES:
        error = "Choose one of the languages listed."
    elif digest not in DIGEST_LABELS:
        error = "Choose weekly, daily or no digest."
    elif alerts not in ("on", "off"):
        error = "Choose whether to get alerts."
    elif any(tp is None or tp not in known for tp in chosen):
        error = "A chosen touchpoint does not exist (any more). Nothing was saved."
    if error:
        return _page(choices, error, 400)
    storage.set_mail_preferences(
        conn, user.id, language=language, digest=digest, alerts=alerts == "on", touchpoints=chosen
    )
    flash("Your mail choices are saved.")
    return redirect(url_for("admin.notifications"))
