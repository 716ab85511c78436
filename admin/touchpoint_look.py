"""A touchpoint's look in the admin: where the widget shows, its colours,
font and corner radius, with a warning when the colours are hard to read."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from collector import look, storage
from collector.db import get_db

from .auth import login_required
from .blueprint import bp, touchpoint_or_404

LABELS = {
    "widget_position": "Position",
    "accent_colour": "Accent colour",
    "text_colour": "Text colour",
    "font_family": "Font",
    "corner_radius": "Corner radius (px)",
}


def look_panel(tp: storage.Touchpoint, values: dict[str, str] | None = None, errors: dict[str, str] | None = None):
    """What the touchpoint page's Look panel shows: the form, as saved or as typed, and the contrast warnings."""
    if values is None:
        values = {
            column: "" if getattr(tp, column) is None else str(getattr(tp, column)) for column in look.LOOK_COLUMNS
        }
    fields = [
        {
            "name": column,
            "label": LABELS[column],
            "help": help,
            "value": values[column],
            "error": (errors or {}).get(column),
        }
        for column, _, help in look.LOOK_SETTINGS
    ]
    return {
        "look_fields": fields,
        "look_errors": errors,
        "look_positions": look.POSITIONS,
        "look_warnings": look.contrast_warnings(tp),
    }


def parse_look(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The look's fields from a posted form, and the errors by field (all checked before anything is stored)."""
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column, parser, _ in look.LOOK_SETTINGS:
        if column not in form:
            errors[column] = "This field was not sent; please use the form on the touchpoint's page."
            continue
        try:
            fields[column] = parser(form[column])
        except ValueError as exc:
            errors[column] = f"{LABELS[column]}: {exc}."
    return fields, errors


@bp.post("/touchpoints/<id:touchpoint_id>/look")
@login_required
def touchpoint_look(touchpoint_id: int):
    """Save a touchpoint's look; a refused form comes back as typed, with its errors."""
    conn = get_db()
    tp = touchpoint_or_404(touchpoint_id)
    fields, errors = parse_look(request.form)
    if errors:
        values = {column: str(request.form.get(column, ""))[:200] for column in look.LOOK_COLUMNS}
        return render_template("admin/look.html", tp=tp, **look_panel(tp, values, errors)), 400
    tp = storage.update_touchpoint(conn, tp.id, **fields)
    assert tp is not None
    warnings = look.contrast_warnings(tp)
    flash(
        "Saved the look." + (" " + " ".join(warnings) if warnings else " The widget uses it from its next page view.")
    )
    return redirect(url_for("admin.edit_touchpoint", touchpoint_id=tp.id) + "#look-heading")
