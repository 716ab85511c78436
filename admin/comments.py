"""The comments page: what visitors wrote, newest first, searchable."""

from __future__ import annotations

from flask import render_template

from . import listing
from .auth import login_required
from .blueprint import bp


@bp.get("/comments")
@login_required
def comments():
    """List responses with a comment, newest first, a page at a time."""
    flt, errors = listing.read_filters()
    found = listing.fetch(flt, commented=True)
    return render_template(
        "admin/comments.html", listing=found, **listing.filter_context(flt, errors)
    ), 400 if errors else 200
