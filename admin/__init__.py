"""The owner's admin pages: one blueprint at /admin, behind a login.

Every route on the blueprint requires a logged-in user unless it is marked
public (auth.public); see admin.auth for sessions, CSRF and headers.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the admin to *app*: its pages, sessions, CSRF protection and headers."""
    from . import auth, comments, export, followup, overview, touchpoints  # noqa: F401 - their routes register on bp
    from .blueprint import bp

    auth.init_app(app)
    app.register_blueprint(bp)
