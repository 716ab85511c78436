"""Survey links: the NPS question asked in a mail instead of on a web page.

A link is a signed token at /s/<token>, naming a touchpoint and either a
placeholder that the helpdesk's mail template fills with the ticket id (the
ref then travels in the query) or, for one recipient, the ref itself. Each of
the eleven scores 0-10 is such a link; the page it opens shows the question
with that score chosen and stores it once a person acts. `making` builds the
links (for the command line, the admin and the API), `pages` serves what they
open, `api` makes them over HTTP with an API key, `texts` holds their words
per language and `email_block` the block of score links for a mail template.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the link pages and the links API on *app*, with their rate limits."""
    from .. import ratelimit
    from . import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    # The pages only show the question; only the answers sent from them count.
    ratelimit.protect(app, pages.bp.name, reads=False)
    ratelimit.protect(app, api.bp.name, setting="RATELIMIT_LINK_API")
