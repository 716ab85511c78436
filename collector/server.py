"""Run the collector under gunicorn from inside the `anbefal serve` command."""

from __future__ import annotations

import errno
import socket
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


class AddressInUse(Exception):
    """Something listens on the address already."""


def check_address_free(host: str, port: int) -> None:
    """Raise AddressInUse when *host*:*port* has a listener.

    Found before gunicorn starts, so that `anbefal serve` says so in one
    line; a plain bind finds any listener, SO_REUSEPORT ones too.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore closed connections in TIME_WAIT
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AddressInUse(f"{host}:{port} is in use (is Anbefal running there already?)") from exc
            raise


def run(host: str, port: int, workers: int) -> None:
    check_address_free(host, port)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    AnbefalServer({"bind": bind, "workers": workers}).run()
