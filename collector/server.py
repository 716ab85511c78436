"""Run the collector under gunicorn from inside the `anbefal serve` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class AnbefalServer(BaseApplication):
    """A gunicorn application whose workers each build their own app.

    The app is created in every worker after the fork (no preload), so each
    worker opens its own database connection.
    """

    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        # The shipped settings first, then the command line's.
        from . import gunicorn_conf

        shipped = {
            key: value
            for key, value in vars(gunicorn_conf).items()
            if key in self.cfg.settings and not key.startswith("_")
        }
        for key, value in {**shipped, **self.options}.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app()


def run(host: str, port: int, workers: int) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    AnbefalServer({"bind": bind, "workers": workers}).run()
