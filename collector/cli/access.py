"""`anbefal apikey` and `anbefal user`: who may make links and log in to the admin."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from .. import storage
from ..db import get_db
from ..snippet import public_url
from .base import main


@main.group()
def apikey() -> None:
    """Make, list and revoke API keys for the links API and the read API."""


@apikey.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    metavar="links|read",
    help="What the key may do: links (make survey links, the default) or read (answers, figures, "
    "touchpoints); repeat it or give a comma list for both.",
)
@with_appcontext
def apikey_create(name: str, scopes: tuple[str, ...]) -> None:
    """Make an API key called NAME and print it (it is shown only this once)."""
    from .. import api_keys

    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("give a name of 1 to 100 characters", param_hint="NAME")
    try:
        granted = api_keys.parse_scopes(scopes)
    except api_keys.UnknownScope as exc:
        raise click.BadParameter(str(exc), param_hint="--scope") from None
    try:
        _, key = api_keys.create(name, granted)
    except storage.DuplicateName:
        raise click.ClickException(f"an active API key called {name!r} exists already") from None
    click.echo(key)
    click.echo(
        f"This is API key {name!r} (scopes: {', '.join(granted)}). It is shown only now; only its hash is stored. "
        f"Send it as: Authorization: Bearer <key>",
        err=True,
    )


@apikey.command("list")
@with_appcontext
def apikey_list() -> None:
    """List API keys: name, scopes, created, last used, and whether revoked."""
    keys = storage.list_api_keys(get_db())
    if not keys:
        click.echo("No API keys yet. Make one with: anbefal apikey create NAME")
        return
    click.echo("name\tscopes\tcreated\tlast used\tstatus")
    for key in keys:
        status = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        scopes = ",".join(key.scopes)
        click.echo(f"{key.name}\t{scopes}\t{key.created_at}\t{key.last_used_at or 'never'}\t{status}")


@apikey.command("revoke")
@click.argument("name")
@with_appcontext
def apikey_revoke(name: str) -> None:
    """Revoke the active API key called NAME; it stops working at once."""
    if not storage.revoke_api_key(get_db(), name.strip()):
        raise click.ClickException(f"no active API key called {name!r} (see `anbefal apikey list`)")
    click.echo(f"Revoked API key {name.strip()!r}.")


@main.group()
def user() -> None:
    """Create, list and remove the logins of the admin."""


@user.command("add")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (first line).")
@with_appcontext
def user_add(email: str, password_stdin: bool) -> None:
    """Create an admin login for EMAIL; asks for the password twice."""
    from admin import users

    try:
        email = users.clean_email(email)
    except users.BadUserInput as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from None
    password = _read_password(password_stdin)
    try:
        created = users.add_user(get_db(), email, password)
    except users.BadUserInput as exc:
        raise click.ClickException(str(exc)) from None
    except storage.DuplicateUser:
        raise click.ClickException(f"a user {email!r} exists already") from None
    click.echo(f"Created user {created.email}. Log in at {public_url()}/admin/login")


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input (first line).")
@with_appcontext
def user_password(email: str, password_stdin: bool) -> None:
    """Give EMAIL a new password; their open sessions end."""
    from admin import users

    found = storage.get_user_by_email(get_db(), email.strip())
    if found is None:
        raise click.ClickException(f"no user {email!r} (see `anbefal user list`)")
    password = _read_password(password_stdin)
    try:
        users.check_new_password(password)
    except users.BadUserInput as exc:
        raise click.ClickException(str(exc)) from None
    storage.set_user_password(get_db(), found.id, users.hash_password(password))
    click.echo(f"New password set for {found.email}; their sessions have ended.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user.command("list")
@with_appcontext
def user_list() -> None:
    """List the admin's users with their last login."""
    found = storage.list_users(get_db())
    if not found:
        click.echo("No users yet. Create one with: anbefal user add EMAIL")
        return
    for each in found:
        click.echo(f"{each.email}\tcreated {each.created_at}\tlast login {each.last_login_at or 'never'}")


@user.command("remove")
@click.argument("email")
@with_appcontext
def user_remove(email: str) -> None:
    """Remove the login of EMAIL; they are logged out at once."""
    if not storage.delete_user(get_db(), email.strip()):
        raise click.ClickException(f"no user {email!r} (see `anbefal user list`)")
    click.echo(f"Removed user {email.strip()}.")
