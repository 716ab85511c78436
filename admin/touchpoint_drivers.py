"""A touchpoint's drivers on its admin page: list, add, remove (the page's
part is admin/templates/admin/_touchpoint_drivers.html)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from collector import drivers, i18n, storage
from collector.db import get_db

from .auth import login_required
from .blueprint import bp, touchpoint_or_404


@bp.app_template_global()
def touchpoint_drivers(touchpoint_id: int) -> list[storage.Driver]:
    """The drivers of a touchpoint, for its page."""
    return storage.list_drivers(get_db(), touchpoint_id)


@bp.app_template_global()
def standard_drivers() -> list[str]:
    return list(drivers.STANDARD)


def _back(tp: storage.Touchpoint):
    return redirect(url_for("admin.edit_touchpoint", touchpoint_id=tp.id) + "#drivers", code=303)


@bp.post("/touchpoints/<id:touchpoint_id>/drivers")
@login_required
def add_touchpoint_driver(touchpoint_id: int):
    """Give the touchpoint another driver; a refused one changes nothing and says why."""
    tp = touchpoint_or_404(touchpoint_id)
    key = request.form.get("driver_key", "").strip()
    try:
        drivers.check_key(key)
        label, question = drivers.wording(
            key,
            tp.language or i18n.DEFAULT_LANGUAGE,
            request.form.get("driver_label"),
            request.form.get("driver_question"),
        )
        found = storage.add_driver(get_db(), tp.id, key, label, question)
    except drivers.DriverError as exc:
        flash(f"The driver was not added: {exc}.")
    else:
        flash(f"Added driver “{found.label}” ({found.key}). The survey asks it after the score from now on.")
    return _back(tp)


@bp.post("/touchpoints/<id:touchpoint_id>/drivers/remove")
@login_required
def remove_touchpoint_driver(touchpoint_id: int):
    """Remove a driver and every rating of it."""
    tp = touchpoint_or_404(touchpoint_id)
    key = request.form.get("driver_key", "")
    if storage.remove_driver(get_db(), tp.id, key):
        flash(f"Removed driver {key} and its ratings.")
    else:
        flash(f"This touchpoint has no driver {key[:40]}; nothing was removed.")
    return _back(tp)
