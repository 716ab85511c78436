"""The owner's admin pages: one blueprint at /admin, behind a login.

Every route on the blueprint requires a logged-in user unless it is marked
public (auth.public); see admin.auth for sessions, CSRF and headers.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the admin to *app*: its pages, sessions, CSRF protection and headers."""
    # Their routes and the templates' helpers register on bp as they are imported.
    from . import (  # noqa: F401
        auth,
        comments,
        export,
        followup,
        layout,
        notifications,
        overview,
        ownership,
        touchpoint_drivers,
        touchpoints,
        webhooks,
    )
    from .blueprint import bp

    auth.init_app(app)
    app.register_blueprint(bp)
