"""A touchpoint's look in the admin (admin/touchpoint_look.py): the panel on
the touchpoint's page, saving, refusing, and the contrast warning."""

from __future__ import annotations

from html import unescape

from collector import look, storage

BLANK = dict.fromkeys(look.LOOK_COLUMNS, "")


def post_look(client, tp, **values):
    return client.post(f"/admin/touchpoints/{tp.id}/look", data={**BLANK, **values, "csrf_token": client.csrf})


def test_the_touchpoint_page_has_the_look_panel(admin_client, make_touchpoint):
    tp = make_touchpoint(accent_colour="#7a1f5c")
    html = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert 'id="look-heading"' in html
    assert 'name="accent_colour" type="text" value="#7a1f5c"' in html
    for column in look.LOOK_COLUMNS:
        assert f'id="{column}"' in html


def test_saving_the_look(admin_client, make_touchpoint, conn):
    tp = make_touchpoint()
    r = post_look(
        admin_client, tp, widget_position="center", accent_colour="#0A3", text_colour="#222", corner_radius="6px"
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/touchpoints/{tp.id}#look-heading")
    saved = storage.get_touchpoint(conn, tp.id)
    assert (saved.widget_position, saved.accent_colour, saved.text_colour, saved.corner_radius) == (
        "center",
        "#00aa33",
        "#222222",
        6,
    )
    assert "Saved the look." in admin_client.get(r.headers["Location"]).text

    # Emptied fields go back to the widget's own.
    post_look(admin_client, tp)
    saved = storage.get_touchpoint(conn, tp.id)
    assert [getattr(saved, column) for column in look.LOOK_COLUMNS] == [None] * 5


def test_a_refused_look_changes_nothing_and_comes_back_as_typed(admin_client, make_touchpoint, conn):
    tp = make_touchpoint(text_colour="#222222")
    r = post_look(admin_client, tp, accent_colour="teal", corner_radius="99", text_colour="#333333")
    assert r.status_code == 400
    text = unescape(r.text)
    assert "Nothing was saved." in text
    assert "a colour is written #rrggbb or #rgb" in text and "from 0 to 32" in text
    assert 'value="teal"' in r.text and 'aria-invalid="true"' in r.text
    assert storage.get_touchpoint(conn, tp.id).text_colour == "#222222"


def test_a_form_without_every_field_changes_nothing(admin_client, make_touchpoint, conn):
    tp = make_touchpoint(corner_radius=4)
    r = admin_client.post(f"/admin/touchpoints/{tp.id}/look", data={"csrf_token": admin_client.csrf})
    assert r.status_code == 400
    assert storage.get_touchpoint(conn, tp.id).corner_radius == 4


def test_colours_that_fail_aa_are_warned_of(admin_client, make_touchpoint):
    tp = make_touchpoint()
    r = post_look(admin_client, tp, accent_colour="#ffcc00")
    page = unescape(admin_client.get(r.headers["Location"]).text)
    assert "The accent colour #ffcc00 has a contrast of 1.51:1" in page
    assert "WCAG AA asks for 4.5:1" in page


def test_the_look_needs_login_and_csrf(client, admin_client, make_touchpoint, conn):
    tp = make_touchpoint()
    anonymous = client.application.test_client()
    assert anonymous.post(f"/admin/touchpoints/{tp.id}/look", data=BLANK).status_code in (302, 400)
    r = admin_client.post(f"/admin/touchpoints/{tp.id}/look", data={**BLANK, "accent_colour": "#000000"})
    assert r.status_code == 400
    assert storage.get_touchpoint(conn, tp.id).accent_colour is None
    assert (
        admin_client.post("/admin/touchpoints/999/look", data={**BLANK, "csrf_token": admin_client.csrf}).status_code
        == 404
    )
