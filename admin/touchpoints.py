"""Touchpoints in the admin: list, create, edit; each page with its snippet,
its email block and a live preview of the widget."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for

from collector import customers, i18n, security, storage
from collector.db import get_db, get_tokens
from collector.embed import widget_asset
from collector.links import sender
from collector.links.email_block import email_block_html
from collector.links.making import DEFAULT_PLACEHOLDER, LinkError
from collector.snippet import public_url, snippet_html

from .auth import login_required
from .blueprint import bp, touchpoint_or_404
from .touchpoint_form import TouchpointForm, language_defaults
from .touchpoint_look import look_panel


@bp.get("/touchpoints")
@login_required
def touchpoints():
    """List the touchpoints."""
    return render_template(
        "admin/touchpoints.html", touchpoints=storage.list_touchpoints(get_db()), languages=_language_names()
    )


@bp.route("/touchpoints/new", methods=["GET", "POST"])
@login_required
def new_touchpoint():
    """Create a touchpoint; a refused form comes back as typed, with its errors."""
    if request.method == "GET":
        return _form_page(TouchpointForm.blank(), None)
    form = TouchpointForm.from_request(request.form)
    fields = form.validate()
    if fields is not None:
        name = fields.pop("name")
        try:
            tp = storage.insert_touchpoint(get_db(), name, **fields)
        except storage.DuplicateName:
            form.errors["name"] = f"A touchpoint called “{name}” exists already; choose another name."
        else:
            flash(f"Created touchpoint “{tp.name}”. Paste its snippet into your pages, or its email block into a mail.")
            return redirect(url_for("admin.edit_touchpoint", touchpoint_id=tp.id))
    return _form_page(form, None, status=400)


@bp.route("/touchpoints/<id:touchpoint_id>", methods=["GET", "POST"])
@login_required
def edit_touchpoint(touchpoint_id: int):
    """Show a touchpoint's settings, snippet, email block and preview; save changes."""
    conn = get_db()
    tp = touchpoint_or_404(touchpoint_id)
    if request.method == "GET":
        return _form_page(TouchpointForm.from_touchpoint(tp), tp)
    form = TouchpointForm.from_request(request.form)
    fields = form.validate()
    if fields is not None:
        try:
            storage.update_touchpoint(conn, tp.id, **fields)
        except storage.DuplicateName:
            form.errors["name"] = f"A touchpoint called “{fields['name']}” exists already; choose another name."
        else:
            flash("Saved. The widget uses the new settings from its next page view.")
            return redirect(url_for("admin.edit_touchpoint", touchpoint_id=tp.id))
    return _form_page(form, tp, status=400)


@bp.get("/touchpoints/<id:touchpoint_id>/preview")
@login_required
def touchpoint_preview(touchpoint_id: int):
    """The widget as a visitor sees it, in preview mode: nothing is stored."""
    tp = touchpoint_or_404(touchpoint_id)
    lang = request.args.get("lang")
    lang = lang if lang in i18n.LANGUAGES else i18n.choose(tp.language)
    # The widget from this very origin (PUBLIC_URL may be a CDN's), so that script-src 'self' holds.
    script = url_for("embed.versioned_widget_script", version=widget_asset().version)
    token = get_tokens().make_embed_token(tp.id)
    response = make_response(render_template("admin/preview.html", tp=tp, token=token, lang=lang, script=script))
    return security.apply(response, "preview", widget_api=request.host_url + "api/v1/widget")


def _form_page(form: TouchpointForm, tp: storage.Touchpoint | None, status: int = 200):
    context: dict = {
        "form": form,
        "tp": tp,
        "languages": _language_names(),
        "defaults": language_defaults(),
        "default_language": i18n.choose(form.values["language"]),
        "sender_limits": sender.FORM_LIMITS,
    }
    if tp is not None:
        placeholder = request.args.get("placeholder", DEFAULT_PLACEHOLDER)
        try:
            block, block_error = email_block_html(tp, placeholder, public_url()), None
        except LinkError as exc:
            block, block_error = None, str(exc)
        context.update(
            snippet=snippet_html(get_tokens().make_embed_token(tp.id), public_url()),
            signed_snippet=snippet_html(get_tokens().make_embed_token(tp.id), public_url(), **customers.PLACEHOLDERS),
            email_block=block,
            email_block_error=block_error,
            placeholder=placeholder,
            default_placeholder=DEFAULT_PLACEHOLDER,
            preview_lang=request.args.get("lang") if request.args.get("lang") in i18n.LANGUAGES else "",
        )
        context.update(look_panel(tp))
    return render_template("admin/touchpoint.html", **context), status


def _language_names() -> dict[str, str]:
    return {code: i18n.TEXTS[code]["name"] for code in i18n.LANGUAGES}
