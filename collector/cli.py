"""The `anbefal` command line, built on Flask's CLI support."""

from __future__ import annotations

import json
import sys
from datetime import date
from urllib.parse import urlsplit

import click
from flask.cli import FlaskGroup, with_appcontext

from . import create_app, get_db, get_tokens, i18n, nps, storage, survey_links
from .exports import csv_chunks, export_header
from .snippet import public_url, snippet_html


def _make_app(*_args, **_kwargs):
    return create_app()


class AnbefalGroup(FlaskGroup):
    """Flask's CLI group without its --app/--debug/--env-file options: the
    app is always Anbefal's, configured from the environment."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.params = [p for p in self.params if p.name not in ("app", "debug", "env_file")]


@click.group(cls=AnbefalGroup, create_app=_make_app, add_default_commands=False, add_version_option=False)
@click.version_option(package_name="anbefal", prog_name="anbefal")
def main() -> None:
    """Anbefal: self-hosted Net Promoter Score.

    Settings come from ANBEFAL_* environment variables (see the README);
    ANBEFAL_DB names the SQLite file (default ./anbefal.db).
    """


# --------------------------------------------------------------------------
# serve
# --------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--demo", is_flag=True, help="Add demo touchpoints, answers and a demo user; serve /demo.")
def serve(host: str, port: int, workers: int, demo: bool) -> None:
    """Run the collector with gunicorn."""
    import os

    from . import server

    if demo:
        os.environ["ANBEFAL_DEMO"] = "true"
    try:
        server.check_address_free(host, port)
    except server.AddressInUse as exc:
        raise click.ClickException(str(exc)) from None
    app = create_app()  # migrates once here, before any worker starts
    with app.app_context():
        base = app.config.get("PUBLIC_URL") or f"http://{_url_host(host)}:{port}"
        lines = [f"Anbefal {_version()} is listening on {base}", f"  database: {app.config['DB']}"]
        if demo:
            from . import demo as demo_data

            login = demo_data.seed(get_db())
            lines.append(f"  demo shop page: {base}/demo")
            lines.append(f"  admin:          {base}/admin/")
            if login:
                lines.append(f"  log in as {login[0]} with password {login[1]}")
        else:
            lines.append(f"  admin: {base}/admin/  (create a login with `anbefal user add EMAIL`)")
        storage.close_connections()
    click.echo("\n".join(lines), err=False)
    sys.stdout.flush()
    server.run(host=host, port=port, workers=workers)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _version() -> str:
    from . import __version__

    return __version__


# --------------------------------------------------------------------------
# touchpoints
# --------------------------------------------------------------------------


@main.group()
def touchpoint() -> None:
    """Create and list touchpoints, and print their snippets."""


def normalise_origin(value: str) -> str:
    """Return scheme://host[:port] of an origin, or raise click.BadParameter."""
    not_an_origin = click.BadParameter(f"{value!r} is not an origin such as https://shop.example")
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # such as "http://[" (an unclosed IPv6 address)
        raise not_an_origin from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise not_an_origin
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r}: an origin has no path, only scheme, host and port")
    return f"{parts.scheme}://{parts.netloc.lower()}"


@touchpoint.command("add")
@click.argument("name")
@click.option("--question", help="Own wording of the question (default: the language's standard one).")
@click.option(
    "--language",
    type=click.Choice(i18n.LANGUAGES),
    help="Language of the survey (default: the page's <html lang>, else English).",
)
@click.option("--origin", "origins", multiple=True, help="Origin allowed to embed it (repeatable).")
@click.option("--target", "target_nps", type=click.IntRange(-100, 100), help="Target NPS.")
@with_appcontext
def touchpoint_add(
    name: str, question: str | None, language: str | None, origins: tuple[str, ...], target_nps: int | None
) -> None:
    """Create a touchpoint called NAME (checkout, invoice, support...)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("give a name of 1 to 100 characters", param_hint="NAME")
    clean_origins = [normalise_origin(origin) for origin in origins]
    try:
        tp = storage.insert_touchpoint(
            get_db(),
            name,
            question=question,
            language=language,
            origins=clean_origins,
            target_nps=target_nps,
        )
    except storage.DuplicateName:
        raise click.ClickException(f"a touchpoint called {name!r} exists already") from None
    click.echo(f"Created touchpoint {tp.name!r}.")
    if tp.origins:
        click.echo("Accepts answers only from: " + ", ".join(tp.origins))
    else:
        click.echo("Accepts answers from any origin (add --origin to restrict it).")
    click.echo(f"Get its snippet with: anbefal touchpoint snippet {_shell_quote(tp.name)}")


def _shell_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


@touchpoint.command("list")
@with_appcontext
def touchpoint_list() -> None:
    """List touchpoints with their language and allowed origins."""
    tps = storage.list_touchpoints(get_db())
    if not tps:
        click.echo("No touchpoints yet. Create one with: anbefal touchpoint add NAME")
        return
    for tp in tps:
        origins = ", ".join(tp.origins) if tp.origins else "any origin"
        click.echo(f"{tp.name}\t{tp.language or 'auto'}\t{origins}")


@touchpoint.command("snippet")
@click.argument("name")
@click.option("--ref", help="Order or ticket id to attach to the answer.")
@click.option("--properties", help='Segment data as JSON, e.g. \'{"department": "north"}\'.')
@click.option("--language", type=click.Choice(i18n.LANGUAGES), help="Override the touchpoint's language.")
@click.option("--delay", type=click.IntRange(0, 3600), help="Seconds to wait before showing the survey.")
@click.option("--sample", type=click.FloatRange(0, 1), help="Share of visitors to ask, 0 to 1.")
@with_appcontext
def touchpoint_snippet(
    name: str,
    ref: str | None,
    properties: str | None,
    language: str | None,
    delay: int | None,
    sample: float | None,
) -> None:
    """Print exactly the HTML to paste into a page for touchpoint NAME."""
    tp = _touchpoint_or_fail(name)
    if properties is not None:
        from .errors import ApiError
        from .validation import parse_properties_json

        try:
            parse_properties_json(properties)
        except ApiError as exc:
            raise click.BadParameter(exc.message, param_hint="--properties") from None
    click.echo(
        snippet_html(
            get_tokens().make_embed_token(tp.id),
            public_url(),
            ref=ref,
            properties=properties,
            lang=language,
            delay=None if delay is None else str(delay),
            sample=None if sample is None else f"{sample:g}",
        )
    )


def _touchpoint_or_fail(name: str) -> storage.Touchpoint:
    tp = storage.get_touchpoint_by_name(get_db(), name)
    if tp is None:
        raise click.ClickException(f"no touchpoint called {name!r} (see `anbefal touchpoint list`)")
    return tp


# --------------------------------------------------------------------------
# stats and export
# --------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def stats(as_json: bool) -> None:
    """Print n, % promoters / passives / detractors and NPS per touchpoint."""
    conn = get_db()
    counts = storage.category_counts_by_touchpoint(conn)
    rows = []
    total = nps.Summary()
    for tp in storage.list_touchpoints(conn):
        summary = nps.Summary(*counts.get(tp.id, (0, 0, 0)))
        total = total + summary
        rows.append((tp.name, summary))
    rows.append(("(all)", total))
    if as_json:
        click.echo(json.dumps([{"touchpoint": name, **s.as_dict()} for name, s in rows], indent=2))
        return
    width = max(len("touchpoint"), *(len(name) for name, _ in rows))
    click.echo(f"{'touchpoint':<{width}}  {'n':>7}  {'prom%':>5}  {'pass%':>5}  {'detr%':>5}  {'NPS':>4}")
    for name, s in rows:
        cells = [_pct(s.pct_promoters), _pct(s.pct_passives), _pct(s.pct_detractors)]
        click.echo(
            f"{name:<{width}}  {s.n:>7}  {cells[0]:>5}  {cells[1]:>5}  {cells[2]:>5}  {nps.format_nps(s.nps):>4}"
        )


def _pct(value: int | None) -> str:
    return "—" if value is None else str(value)


def _iso_date(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


@main.command()
@click.option("--touchpoint", "touchpoint_name", help="Only this touchpoint.")
@click.option("--since", callback=_iso_date, help="First day, YYYY-MM-DD (UTC).")
@click.option("--until", callback=_iso_date, help="Last day, YYYY-MM-DD (UTC), inclusive.")
@with_appcontext
def export(touchpoint_name: str | None, since: str | None, until: str | None) -> None:
    """Write responses as CSV to standard output, one row per response."""
    conn = get_db()
    flt = storage.ResponseFilter(since=since, until=until)
    if touchpoint_name:
        flt.touchpoint_id = _touchpoint_or_fail(touchpoint_name).id
    keys = storage.property_keys(conn, flt)
    # Bytes, so that no text layer changes the CR LF line ends.
    out = sys.stdout.buffer
    for chunk in csv_chunks(export_header(keys), storage.iter_export_cells(conn, flt, keys)):
        out.write(chunk.encode("utf-8"))
    out.flush()


# --------------------------------------------------------------------------
# Survey links: touchpoint email-block, link, apikey
# --------------------------------------------------------------------------


def _link_base_url() -> str:
    """The base URL of links meant for mail; warn on stderr when it is only a guess."""
    from flask import current_app

    if not current_app.config.get("PUBLIC_URL"):
        click.echo(
            f"Note: ANBEFAL_PUBLIC_URL is not set, so these links point at {public_url()}; "
            "set it to the address your customers reach.",
            err=True,
        )
    return public_url()


@touchpoint.command("email-block")
@click.argument("name")
@click.option(
    "--ref-placeholder",
    "placeholder",
    default=survey_links.DEFAULT_PLACEHOLDER,
    show_default=True,
    help="What your helpdesk's mail template replaces with the ticket id, e.g. '{{ticket.display_id}}'.",
)
@click.option("--text", "as_text", is_flag=True, help="Plain text (one link per line) instead of HTML.")
@with_appcontext
def touchpoint_email_block(name: str, placeholder: str, as_text: bool) -> None:
    """Print the block of score links 0-10 to paste into a mail template."""
    from .email_block import email_block_html, email_block_text

    tp = _touchpoint_or_fail(name)
    try:
        survey_links.check_placeholder(placeholder)
    except survey_links.LinkError as exc:
        raise click.BadParameter(str(exc), param_hint="--ref-placeholder") from None
    make = email_block_text if as_text else email_block_html
    click.echo(make(tp, placeholder, _link_base_url()))


@main.command("link")
@click.argument("name")
@click.option("--ref", required=True, help="The order or ticket id the answer belongs to (signed into the link).")
@click.option("--score", type=click.IntRange(0, 10), help="Preselect this score (the link of one number 0-10).")
@click.option("--expires", help="Stop taking answers after this long: 12h, 30d, 2w (default: never).")
@with_appcontext
def link(name: str, ref: str, score: int | None, expires: str | None) -> None:
    """Print a survey link for one recipient of touchpoint NAME."""
    tp = _touchpoint_or_fail(name)
    try:
        expires_in = survey_links.parse_expires(expires)
    except survey_links.LinkError as exc:
        raise click.BadParameter(str(exc), param_hint="--expires") from None
    try:
        made = survey_links.RecipientLink(tp, ref, _link_base_url(), expires_in)
    except survey_links.LinkError as exc:
        raise click.BadParameter(str(exc), param_hint="--ref") from None
    click.echo(made.url(score))


@main.group()
def apikey() -> None:
    """Make, list and revoke API keys for POST /api/v1/links."""


@apikey.command("create")
@click.argument("name")
@with_appcontext
def apikey_create(name: str) -> None:
    """Make an API key called NAME and print it (it is shown only this once)."""
    from . import api_keys

    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("give a name of 1 to 100 characters", param_hint="NAME")
    try:
        _, key = api_keys.create(name)
    except storage.DuplicateName:
        raise click.ClickException(f"an active API key called {name!r} exists already") from None
    click.echo(key)
    click.echo(
        f"This is API key {name!r}. It is shown only now; only its hash is stored. "
        f"Send it as: Authorization: Bearer <key>",
        err=True,
    )


@apikey.command("list")
@with_appcontext
def apikey_list() -> None:
    """List API keys: name, created, last used, and whether revoked."""
    keys = storage.list_api_keys(get_db())
    if not keys:
        click.echo("No API keys yet. Make one with: anbefal apikey create NAME")
        return
    click.echo("name\tcreated\tlast used\tstatus")
    for key in keys:
        status = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        click.echo(f"{key.name}\t{key.created_at}\t{key.last_used_at or 'never'}\t{status}")


@apikey.command("revoke")
@click.argument("name")
@with_appcontext
def apikey_revoke(name: str) -> None:
    """Revoke the active API key called NAME; it stops working at once."""
    if not storage.revoke_api_key(get_db(), name.strip()):
        raise click.ClickException(f"no active API key called {name!r} (see `anbefal apikey list`)")
    click.echo(f"Revoked API key {name.strip()!r}.")


# --------------------------------------------------------------------------
# Admin: user add / list / remove
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Abuse and privacy: backup, forget, retention
# --------------------------------------------------------------------------


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@with_appcontext
def backup(path: str, force: bool) -> None:
    """Copy the live database to PATH and check the copy.

    Safe while the server runs: the copy is one consistent snapshot, and
    answers keep arriving meanwhile. PATH is only replaced once the copy has
    passed SQLite's integrity check.
    """
    import os
    import tempfile

    from flask import current_app

    target = os.path.abspath(path)
    source = current_app.config["DB"]
    if target == source:
        raise click.ClickException("PATH is the database itself; give the backup a path of its own")
    if os.path.isdir(target):
        raise click.ClickException(f"{path} is a directory; give the backup file's name, e.g. {path}/anbefal.db")
    if os.path.exists(target) and not force:
        raise click.ClickException(f"{path} exists already; add --force to overwrite it")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise click.ClickException(f"the folder {folder} does not exist")
    fd, temporary = tempfile.mkstemp(prefix=".anbefal-backup-", suffix=".db", dir=folder)
    os.close(fd)
    os.unlink(temporary)  # VACUUM INTO writes only to a file that does not exist yet
    try:
        storage.backup_database(get_db(), temporary)
        problems = storage.check_integrity(temporary)
        if problems != ["ok"]:
            raise click.ClickException("the copy failed its integrity check:\n" + "\n".join(problems[:20]))
        answers = storage.count_responses_in(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    size = os.path.getsize(target)
    click.echo(f"Backed up {source} to {target}: {answers} responses, {size / 1024:.0f} KiB.")
    click.echo("Integrity check of the copy: ok.")


@main.command()
@click.option("--ref", required=True, help="The customer's order or ticket id, exactly as stored.")
@click.option("--touchpoint", "touchpoint_name", help="Only this touchpoint (default: every touchpoint).")
@with_appcontext
def forget(ref: str, touchpoint_name: str | None) -> None:
    """Delete everything stored about the customer with REF: their answers,
    comments, follow-up notes and the full-text index entries."""
    where = "every touchpoint"
    touchpoint_id = None
    if touchpoint_name:
        tp = _touchpoint_or_fail(touchpoint_name)
        touchpoint_id, where = tp.id, f"touchpoint {tp.name!r}"
    deleted = storage.forget_ref(get_db(), ref, touchpoint_id)
    if not deleted:
        click.echo(f"No responses with ref {ref!r} on {where}; nothing deleted.")
        return
    noun = "response" if deleted == 1 else "responses"
    click.echo(f"Deleted {deleted} {noun} with ref {ref!r} from {where}.")
    click.echo("Backups made before now still hold them until they are deleted in turn.")


@main.command()
@click.option(
    "--days", type=click.IntRange(min=1), help="Delete answers older than this (default: ANBEFAL_RETENTION_DAYS)."
)
@click.option("--dry-run", is_flag=True, help="Only say how many answers would be deleted.")
@with_appcontext
def retention(days: int | None, dry_run: bool) -> None:
    """Delete answers older than the retention period, now.

    The server does the same by itself once an hour when
    ANBEFAL_RETENTION_DAYS is set; this command is for a first clean-up, a
    cron job, or a one-off with --days.
    """
    from flask import current_app

    from . import privacy

    try:
        days = days or privacy.retention_days(current_app)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if not days:
        raise click.ClickException(
            "ANBEFAL_RETENTION_DAYS is not set; give --days N to delete answers older than N days"
        )
    conn = get_db()
    before = privacy.cutoff(days)
    if dry_run:
        count = storage.count_responses_before(conn, before)
        click.echo(f"{count} responses are older than {days} days (created before {before}); nothing deleted.")
        return
    done = privacy.clean_up(conn, days, thorough=True)
    click.echo(f"Deleted {done.responses} responses older than {days} days (created before {before}).")
