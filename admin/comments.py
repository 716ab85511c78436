"""The comments page: what visitors wrote, newest first, searchable."""

from __future__ import annotations

from flask import render_template

from . import bp, listing
from .auth import login_required


@bp.get("/comments")
@login_required
def comments():
    """List responses with a comment, newest first, a page at a time."""
    found = listing.fetch(commented=True)
    return render_template("admin/comments.html", listing=found, categories=listing.CATEGORY_LABELS)
