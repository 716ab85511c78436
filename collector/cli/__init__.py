"""The `anbefal` command line, built on Flask's CLI support: one module per group of commands."""

from __future__ import annotations

# Each module adds its commands to `main` as it is imported.
from . import access, data, drivers, links, mail, reach, reports, serve, themes, touchpoints, webhooks  # noqa: F401
from .base import main

__all__ = ["main"]
