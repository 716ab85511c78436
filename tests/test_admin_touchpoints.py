"""Touchpoints in the admin: list, create, edit, validation, snippet, email block, preview."""

from __future__ import annotations

import re
from html import unescape

import pytest

from collector import storage

GOOD = {
    "name": "checkout",
    "question": "",
    "followup_detractor": "",
    "followup_passive": "",
    "followup_promoter": "",
    "language": "da",
    "origins": "https://Shop.example/\r\nhttps://www.shop.example",
    "target_nps": "40",
    "sample_percent": "25",
    "repeat_days": "60",
}


def post(client, url, **changes):
    return client.post(url, data={**GOOD, **changes, "csrf_token": client.csrf})


def test_create_a_touchpoint(admin_client, conn):
    r = post(admin_client, "/admin/touchpoints/new", question="  Would you  recommend our shop? ")
    assert r.status_code == 302
    tp = storage.get_touchpoint_by_name(conn, "checkout")
    assert r.headers["Location"] == f"/admin/touchpoints/{tp.id}"
    assert tp.language == "da"
    assert tp.origins == ["https://shop.example", "https://www.shop.example"]
    assert tp.target_nps == 40 and tp.sample_rate == 0.25 and tp.repeat_days == 60
    assert tp.question == "Would you recommend our shop?"
    assert tp.followup_detractor is None  # empty: the language's default
    page = admin_client.get(r.headers["Location"]).text
    assert "Created touchpoint “checkout”" in page


def test_edit_a_touchpoint(admin_client, make_touchpoint, conn):
    tp = make_touchpoint("support", language="nb", origins=["https://a.example"], target_nps=10)
    html = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert 'value="support"' in html and '<option value="nb" selected' in html
    assert "https://a.example</textarea>" in html
    r = post(
        admin_client,
        f"/admin/touchpoints/{tp.id}",
        name="support desk",
        language="",
        origins="",
        target_nps="",
        followup_passive="What would make it a 10?",
        sample_percent="12,5",
    )
    assert r.status_code == 302
    tp = storage.get_touchpoint(conn, tp.id)
    assert tp.name == "support desk" and tp.language is None and tp.origins == []
    assert tp.target_nps is None and tp.sample_rate == 0.125
    assert tp.followup_passive == "What would make it a 10?"
    assert "Saved." in admin_client.get(f"/admin/touchpoints/{tp.id}").text


def test_the_survey_link_pages_sender(admin_client, make_touchpoint, conn):
    tp = make_touchpoint("support")
    typed = {
        "sender_name": "  Fjordkaffe   ApS ",
        "logo_url": "https://cdn.fjordkaffe.example/logo.png",
        "brand_colour": "#064",
        "coloured_scale": "on",
    }
    r = post(admin_client, f"/admin/touchpoints/{tp.id}", **typed)
    assert r.status_code == 302
    tp = storage.get_touchpoint(conn, tp.id)
    assert (tp.sender_name, tp.logo_url, tp.brand_colour, tp.coloured_scale) == (
        "Fjordkaffe ApS",
        "https://cdn.fjordkaffe.example/logo.png",
        "#006644",
        1,
    )
    html = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert 'value="Fjordkaffe ApS"' in html
    assert 'id="coloured_scale" name="coloured_scale" type="checkbox" value="on" checked' in html
    # An unticked box turns the colours off; empty fields clear the rest.
    post(admin_client, f"/admin/touchpoints/{tp.id}")
    tp = storage.get_touchpoint(conn, tp.id)
    assert (tp.sender_name, tp.logo_url, tp.brand_colour, tp.coloured_scale) == (None, None, None, 0)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "  ", "Give the touchpoint a name"),
        ("name", "x" * 101, "at most 100 characters"),
        ("question", "q" * 301, "At most 300 characters"),
        ("followup_promoter", "p" * 301, "At most 300 characters"),
        ("language", "pt", "Choose one of the languages"),
        ("origins", "https://ok.example\nshop.example", "is not an origin"),
        ("origins", "https://shop.example/checkout", "an origin has no path"),
        ("target_nps", "101", "must be from -100 to 100"),
        ("target_nps", "forty", "must be a whole number"),
        ("target_nps", "4.5", "must be a whole number"),
        ("sample_percent", "150", "must be from 0 to 100"),
        ("sample_percent", "", "is needed"),
        ("sample_percent", "nan", "must be a number"),
        ("repeat_days", "-1", "must be from 0 to 3650"),
        ("sender_name", "s" * 81, "at most 80 characters"),
        ("logo_url", "http://shop.example/logo.png", "must be a whole https:// address"),
        ("brand_colour", "blue", "must be written as #rrggbb"),
        ("brand_colour", "#ffcc00", "White text on #ffcc00 has a contrast of 1.5:1"),
    ],
)
def test_invalid_input_is_refused_and_kept(admin_client, make_touchpoint, conn, field, value, message):
    tp = make_touchpoint("support", target_nps=10)
    before = storage.get_touchpoint(conn, tp.id)
    r = post(admin_client, f"/admin/touchpoints/{tp.id}", **{"question": "Kept as typed <b>?</b>", field: value})
    assert r.status_code == 400
    assert message in unescape(r.text)
    assert "Nothing was saved." in r.text
    # The field is marked and described by its message.
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true" aria-describedby="{field}-error', r.text)
    # What was typed comes back (as text), in every field.
    assert "Kept as typed &lt;b&gt;?&lt;/b&gt;" in r.text or field == "question"
    assert "https://Shop.example/" in r.text or field == "origins"
    assert storage.get_touchpoint(conn, tp.id) == before

    r = post(admin_client, "/admin/touchpoints/new", **{field: value})
    assert r.status_code == 400
    assert storage.get_touchpoint_by_name(conn, "checkout") is None


def test_duplicate_name_is_a_readable_error(admin_client, make_touchpoint, conn):
    make_touchpoint("checkout")
    other = make_touchpoint("invoice")
    r = post(admin_client, "/admin/touchpoints/new")
    assert r.status_code == 400 and "exists already" in unescape(r.text)
    r = post(admin_client, f"/admin/touchpoints/{other.id}")
    assert r.status_code == 400 and "exists already" in unescape(r.text)
    assert storage.get_touchpoint(conn, other.id).name == "invoice"


def test_touchpoint_forms_need_csrf_and_login(app, admin_client, client, conn):
    r = admin_client.post("/admin/touchpoints/new", data=GOOD)
    assert r.status_code == 400
    anonymous = app.test_client()
    r = anonymous.post("/admin/touchpoints/new", data=GOOD)
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    assert storage.list_touchpoints(conn) == []


def test_unknown_touchpoint_is_404(admin_client):
    assert admin_client.get("/admin/touchpoints/999").status_code == 404
    assert admin_client.get("/admin/touchpoints/999/preview").status_code == 404


def test_list_shows_every_touchpoint(admin_client, make_touchpoint):
    make_touchpoint("checkout", language="da", origins=["https://shop.example"], target_nps=30, sample_rate=0.5)
    make_touchpoint("<b>support</b>")
    html = admin_client.get("/admin/touchpoints").text
    assert ">checkout</a>" in html and "Dansk" in html and "https://shop.example" in html
    assert "+30" in html and "50 % of visitors" in html
    assert "&lt;b&gt;support&lt;/b&gt;" in html and "any origin" in html


def test_placeholders_are_the_languages_defaults(admin_client, make_touchpoint):
    tp = make_touchpoint("invoice", language="da")
    html = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert 'placeholder="Hvor sandsynligt er det, at du vil anbefale os' in html
    assert 'placeholder="Det er vi kede af at høre. Hvad gik galt?"' in html
    # Every language's texts ride on its option, for the script to swap in.
    assert 'data-followup_passive="Hva måtte vi ha gjort' in html
    html = admin_client.get("/admin/touchpoints/new").text
    assert 'placeholder="How likely is it that you would recommend us' in html


def test_page_shows_snippet_and_email_block(admin_client, make_touchpoint, tokens):
    tp = make_touchpoint("support", language="nb")
    html = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    snippet = unescape(re.search(r'<pre class="code-block" id="snippet"><code>(.*?)</code>', html, re.S).group(1))
    assert snippet.startswith("<script async src=") and re.search(r"/anbefal(-[0-9a-f]+)?\.js", snippet)
    token = re.search(r'data-anbefal="([^"]+)"', snippet).group(1)
    assert tokens.read_embed_token(token) == tp.id
    block = unescape(re.search(r'id="email-block"[^>]*><code>(.*?)</code>', html, re.S).group(1))
    assert "{{ticket.id}}" in block and block.count("score=") == 11
    assert 'data-copy="snippet"' in html and 'data-copy="email-block"' in html
    assert "/admin/static/touchpoint.js" in html

    html = admin_client.get(f"/admin/touchpoints/{tp.id}?placeholder=%25TICKET%25").text
    block = unescape(re.search(r'id="email-block"[^>]*><code>(.*?)</code>', html, re.S).group(1))
    assert "ref=%TICKET%" in block
    html = admin_client.get(f"/admin/touchpoints/{tp.id}?placeholder=%22%3E").text
    assert "The block cannot be made" in html


def test_preview_page_runs_the_widget_in_preview_mode(admin_client, make_touchpoint, tokens):
    tp = make_touchpoint("support", language="nb")
    page = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert f'src="/admin/touchpoints/{tp.id}/preview"' in page
    r = admin_client.get(f"/admin/touchpoints/{tp.id}/preview")
    assert r.status_code == 200
    assert (
        "data-preview" in r.text and 'data-lang="nb"' in r.text and re.search(r'src="/anbefal-[0-9a-f]+\.js"', r.text)
    )
    token = re.search(r'data-anbefal="([^"]+)"', r.text).group(1)
    assert tokens.read_embed_token(token) == tp.id
    # Framed by the admin only; still no inline script or style.
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
    # It may read the widget's settings, and post nowhere.
    assert "connect-src http://localhost/api/v1/widget;" in csp
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    r = admin_client.get(f"/admin/touchpoints/{tp.id}/preview?lang=de")
    assert 'data-lang="de"' in r.text and '<html lang="de">' in r.text


def test_touchpoint_pages_have_no_inline_script_or_style(admin_client, make_touchpoint):
    tp = make_touchpoint("support")
    for path in ("/admin/touchpoints", "/admin/touchpoints/new", f"/admin/touchpoints/{tp.id}"):
        html = admin_client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html and not re.search(r"<[^>]*\sstyle=", html), path
