"""`anbefal user notify`, `anbefal digest` and `anbefal touchpoint followup`:
who gets which mail, the digest by hand, and who follows a touchpoint's
detractors up by when."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import storage
from ..db import get_db, get_tokens
from ..mail import compose, digest, smtp, texts
from ..mail.outgoing import MAIL_OFF, mail_is_on
from .access import user
from .base import main, touchpoint, touchpoint_or_fail


def _user_or_fail(email: str) -> storage.User:
    found = storage.get_user_by_email(get_db(), email.strip())
    if found is None:
        raise click.ClickException(f"no admin user {email!r} (see `anbefal user list`)")
    return found


def _describe(choices: storage.MailPreferences, names: dict[int, str]) -> str:
    where = ", ".join(names.get(tp, f"#{tp}") for tp in choices.touchpoints) or "every touchpoint"
    alerts = f"alerts on ({where})" if choices.alerts else "alerts off"
    return f"{choices.email}: {alerts}, digest {choices.digest}, language {choices.language}"


@user.command("notify")
@click.argument("email")
@click.option("--alerts", type=click.Choice(["on", "off"]), help="A mail for every detractor, or none.")
@click.option(
    "--touchpoint",
    "touchpoints",
    multiple=True,
    metavar="NAME",
    help="Alert of this touchpoint only (repeatable); --touchpoint all for every one.",
)
@click.option("--digest", type=click.Choice(storage.DIGESTS), help="The digest: weekly (Monday 08:00), daily or off.")
@click.option("--language", type=click.Choice(list(texts.LANGUAGES)), help="The language of this user's mails.")
@with_appcontext
def user_notify(
    email: str, alerts: str | None, touchpoints: tuple[str, ...], digest: str | None, language: str | None
) -> None:
    """Choose which mail the admin user EMAIL gets; without options, show the choices."""
    conn = get_db()
    found = _user_or_fail(email)
    changes: dict = {}
    if alerts is not None:
        changes["alerts"] = alerts == "on"
    if touchpoints:
        changes["touchpoints"] = [] if touchpoints == ("all",) else [touchpoint_or_fail(n).id for n in touchpoints]
    if digest is not None:
        changes["digest"] = digest
    if language is not None:
        changes["language"] = language
    choices = storage.set_mail_preferences(conn, found.id, **changes) if changes else None
    choices = choices or storage.mail_preferences(conn, found.id)
    assert choices is not None
    names = {tp.id: tp.name for tp in storage.list_touchpoints(conn)}
    click.echo(_describe(choices, names))
    if not mail_is_on(current_app.config):
        click.echo(f"Note: {MAIL_OFF}.", err=True)


@main.command("digest")
@click.option("--preview", is_flag=True, help="Write the digest's HTML to standard output; send nothing.")
@click.option("--text", "as_text", is_flag=True, help="With --preview: the plain-text part instead.")
@click.option("--send-now", is_flag=True, help="Send the digest now to every user who gets one (or --to).")
@click.option("--user", "user_email", metavar="EMAIL", help="With --preview: the digest as this user gets it.")
@click.option("--to", "to", metavar="EMAIL", help="With --send-now: only to this admin user.")
@click.option("--daily", is_flag=True, help="Yesterday's digest instead of last week's.")
@with_appcontext
def digest_command(
    preview: bool, as_text: bool, send_now: bool, user_email: str | None, to: str | None, daily: bool
) -> None:
    """Write the digest of the latest period (--preview), or send it now (--send-now)."""
    if preview == send_now:
        raise click.UsageError("give --preview or --send-now")
    config = current_app.config
    conn = get_db()
    now = datetime.now(UTC)
    if preview:
        users = [_user_or_fail(user_email)] if user_email else storage.list_users(conn)
        choices = storage.mail_preferences(conn, users[0].id) if users else None
        if choices is None:
            choices = storage.MailPreferences(0, "preview@example.com")
        frequency = "daily" if daily else choices.digest if choices.digest != "off" else "weekly"
        period = digest.latest_period(frequency, now, config["TIMEZONE"])
        message = compose.digest_message(conn, period, choices, config, get_tokens())
        part = message.get_body(("plain",) if as_text else ("html",))
        assert part is not None
        sys.stdout.write(part.get_content())
        return
    if not mail_is_on(config):
        raise click.ClickException(MAIL_OFF)
    if to:
        wanted = [storage.mail_preferences(conn, _user_or_fail(to).id)]
    else:
        wanted = [u for u in storage.list_mail_preferences(conn) if u.digest != "off"]
    sent = 0
    with smtp.Connection(config["SMTP_URL"]) as link:
        for choices in wanted:
            assert choices is not None
            frequency = "daily" if daily else choices.digest if choices.digest != "off" else "weekly"
            period = digest.latest_period(frequency, now, config["TIMEZONE"])
            try:
                link.send(compose.digest_message(conn, period, choices, config, get_tokens()))
            except (smtp.Unsent, smtp.Uncertain) as exc:
                raise click.ClickException(f"sending to {choices.email} failed: {exc}") from None
            click.echo(f"sent the digest of {period.since} to {period.until} to {choices.email}")
            sent += 1
    if not sent:
        click.echo("Nobody gets a digest (see `anbefal user notify EMAIL --digest weekly`).", err=True)


# The follow-up settings of a touchpoint: (option, column, help).
FOLLOWUP_OPTIONS = (
    ("owner", "owner_user_id", "The admin user (email) who follows its new detractors up; 'none' for nobody."),
    ("hours", "followup_hours", "Hours after the answer by which a detractor is to be followed up."),
)


@touchpoint.command("followup")
@click.argument("name")
@click.option("--owner", metavar="EMAIL", help=FOLLOWUP_OPTIONS[0][2])
@click.option("--hours", type=click.IntRange(1, 24 * 365), help=FOLLOWUP_OPTIONS[1][2])
@with_appcontext
def touchpoint_followup(name: str, owner: str | None, hours: int | None) -> None:
    """Set who follows the detractors of touchpoint NAME up and within how many hours; without options, show it."""
    conn = get_db()
    tp = touchpoint_or_fail(name)
    owner_id: int | None | str = "keep"
    if owner is not None:
        owner_id = None if owner.strip().lower() == "none" else _user_or_fail(owner).id
    if owner is not None or hours is not None:
        storage.set_touchpoint_followup(conn, tp.id, owner_user_id=owner_id, hours=hours)
        tp = touchpoint_or_fail(name)
    owner_user = storage.get_user(conn, tp.owner_user_id) if tp.owner_user_id else None
    click.echo(
        f"{tp.name}: detractors go to {owner_user.email if owner_user else 'nobody'},"
        f" due {tp.followup_hours} hours after the answer"
    )
