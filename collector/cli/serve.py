"""`anbefal serve`: the collector under gunicorn, with the demo if asked."""

from __future__ import annotations

import sys

import click

from .. import storage
from ..db import get_db
from .base import main, make_app


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--demo", is_flag=True, help="Add demo touchpoints, answers and a demo user; serve /demo.")
def serve(host: str, port: int, workers: int, demo: bool) -> None:
    """Run the collector with gunicorn."""
    import os

    from .. import server

    if demo:
        os.environ["ANBEFAL_DEMO"] = "true"
    try:
        server.check_address_free(host, port)
    except server.AddressInUse as exc:
        raise click.ClickException(str(exc)) from None
    app = make_app()  # migrates once here, before any worker starts
    with app.app_context():
        base = app.config.get("PUBLIC_URL") or f"http://{_url_host(host)}:{port}"
        lines = [f"Anbefal {_version()} is listening on {base}", f"  database: {app.config['DB']}"]
        if demo:
            from .. import demo as demo_data

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
    from .. import __version__

    return __version__
