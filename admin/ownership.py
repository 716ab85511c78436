"""Who follows a detractor up, and by when: what the follow-up pages show
of it (the assignee and the deadline, the hand-over field), the "Assigned to
me" and "Overdue" filters, and the overdue counts on the overview."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import flash, g, redirect, request, url_for

from collector import params, storage, timestamps
from collector.db import get_db

from .auth import login_required
from .blueprint import bp, touchpoint_or_404

# The follow-up list's own filters, as query parameters with the value 1.
FILTERS = {"mine": "Assigned to me", "overdue": "Overdue"}


def users() -> list[storage.User]:
    """The admin users, read once per request."""
    if "followup_users" not in g:
        g.followup_users = storage.list_users(get_db())
    return g.followup_users


@bp.app_template_global()
def followup_owner(r: Mapping[str, Any]) -> dict[str, Any]:
    """The assignee's email, the deadline as shown, and whether it has passed, of answer *r*."""
    assignee = r.get("followup_assignee")
    email = next((u.email for u in users() if u.id == assignee), None) if assignee else None
    due = r.get("followup_due_at")
    open_ = r.get("followup_status") is None
    return {
        "email": email,
        "due": timestamps.readable(due) if due else None,
        "due_at": due,
        "overdue": bool(due and open_ and due < timestamps.utcnow()),
        "users": users(),
    }


@dataclass(frozen=True)
class Chosen:
    """The follow-up list's own filters, read from the URL."""

    mine: bool = False
    overdue: bool = False

    def list_args(self, user_id: int) -> dict[str, Any]:
        """What storage.list_responses is given for these filters."""
        return {
            "assignee": user_id if self.mine else None,
            "overdue_at": timestamps.utcnow() if self.overdue else None,
        }


def read(args: Mapping[str, str]) -> Chosen:
    return Chosen(mine=args.get("mine") == "1", overdue=args.get("overdue") == "1")


def read_assignee(form: Mapping[str, str]) -> tuple[bool, int | None, str | None]:
    """The hand-over field of the follow-up form: (given, user id or None for nobody, problem)."""
    if "assignee" not in form:
        return False, None, None
    value = form["assignee"]
    if value == "":
        return True, None, None
    user_id = params.whole_number(value, minimum=1)
    if user_id is None or user_id not in {u.id for u in users()}:
        return True, None, "Choose one of the admin users to hand the follow-up to. Nothing was saved."
    return True, user_id, None


def overdue_counts(
    flt: storage.ResponseFilter | None = None, open_counts: dict[int, int] | None = None
) -> dict[int, int]:
    """Open detractors past their deadline, by touchpoint (the overview's cards
    add them up); *open_counts*: the open detractors of *flt*, when known."""
    return storage.overdue_by_touchpoint(get_db(), timestamps.utcnow(), flt, open_counts)


MAX_HOURS = 24 * 365


@bp.post("/touchpoints/<id:touchpoint_id>/followup")
@login_required
def set_touchpoint_followup(touchpoint_id: int):
    """Set who follows a touchpoint's new detractors up and within how many hours."""
    conn = get_db()
    tp = touchpoint_or_404(touchpoint_id)
    given, owner, problem = read_assignee({"assignee": request.form.get("owner", "")})
    hours = params.whole_number(request.form.get("followup_hours", ""), minimum=1)
    if problem or not given:
        flash("Choose one of the admin users, or nobody. Nothing was saved.")
    elif hours is None or hours > MAX_HOURS:
        flash(f"Give the hours as a whole number from 1 to {MAX_HOURS}. Nothing was saved.")
    else:
        storage.set_touchpoint_followup(conn, tp.id, owner_user_id=owner, hours=hours)
        flash("Saved: new detractors of this touchpoint go to the chosen person, due within those hours.")
    return redirect(url_for("admin.edit_touchpoint", touchpoint_id=tp.id) + "#followup-heading")
