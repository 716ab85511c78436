"""Closing the loop: mark responses contacted or resolved, and the list of
detractors that nobody has followed up yet."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from collector import params, storage, timestamps
from collector.db import get_db
from collector.validation import has_control

from . import listing, ownership
from .auth import current_user, login_required, safe_next
from .blueprint import bp

MAX_NOTE = 500
STATUS_LABELS = {"open": "Open", "contacted": "Contacted", "resolved": "Resolved"}
VIEW_LABELS = {
    "open": "Detractors to follow up",
    "contacted": "Contacted, not resolved",
    "resolved": "Resolved",
}


@bp.get("/follow-up")
@login_required
def followup():
    """List detractors nobody has followed up (first), or those contacted or resolved."""
    view = request.args.get("show", "open")
    if view not in VIEW_LABELS:
        view = "open"
    # A detractor waits in the list however long ago they answered.
    flt, errors = listing.read_filters(default_period="all")
    counts = {name: storage.count_followup(get_db(), name, flt.response_filter()) for name in VIEW_LABELS}
    user = current_user()
    assert user is not None
    chosen = ownership.read(request.args)
    found = listing.fetch(flt, followup=view, by_category=view != "open", **chosen.list_args(user.id))
    return render_template(
        "admin/followup.html",
        listing=found,
        view=view,
        views=VIEW_LABELS,
        counts=counts,
        owned=chosen,
        owned_filters=ownership.FILTERS,
        **listing.filter_context(flt, errors),
    ), 400 if errors else 200


@bp.get("/responses/<id:response_id>")
@login_required
def followup_one(response_id: int):
    """One response and its follow-up form: where an alert's "Follow up" button leads."""
    response = storage.get_response(get_db(), response_id)
    if response is None:
        abort(404)
    return render_template("admin/followup_one.html", r=response, next_url=request.path)


@bp.post("/responses/<id:response_id>/follow-up")
@login_required
def set_followup(response_id: int):
    """Record the follow-up status and note of one response, by the logged-in user."""
    status = request.form.get("status", "")
    note = request.form.get("note", "").replace("\r\n", "\n").strip()
    back = safe_next(request.form.get("next")) or url_for("admin.followup")
    conn = get_db()
    response = storage.get_response(conn, response_id)
    if response is None:
        abort(404)
    problem = None
    if status not in STATUS_LABELS:
        problem = "Choose open, contacted or resolved."
    elif len(note) > MAX_NOTE:
        problem = f"The note may have at most {MAX_NOTE} characters; it has {len(note)}. Nothing was saved."
    elif has_control(note, multiline=True):
        problem = "The note contains a control character. Nothing was saved."
    handed, assignee, refused = ownership.read_assignee(request.form)
    problem = problem or refused
    if problem:
        # The form again on a page of its own, with what was typed: a
        # redirect to the list would lose the note.
        draft = {"id": response_id, "status": status, "note": note}
        page = render_template("admin/followup_refused.html", r=response, problem=problem, draft=draft, next_url=back)
        return page, 400
    user = current_user()
    assert user is not None
    storage.set_followup(conn, response_id, None if status == "open" else status, note or None, user.email)
    if handed and assignee != response["followup_assignee"]:
        storage.set_followup_assignee(conn, response_id, assignee)
    flash(
        f"Marked {STATUS_LABELS[status].lower()}: the {response['score']} on {response['touchpoint']}"
        f" from {timestamps.readable(response['created_at'])}."
    )
    # On to the answer that came next in the list (the one just saved may have left it).
    then = params.whole_number(request.form.get("then", ""), minimum=1)
    return redirect(f"{back}#r{then or response_id}")
