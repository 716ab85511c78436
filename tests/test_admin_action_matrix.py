"""The action matrix on the overview (SVG scatter, table, sentence) and the
drivers on a touchpoint's admin page (list, add, remove)."""

from __future__ import annotations

import re

from test_matrix import constructed

from collector import storage


def fill(conn, make_touchpoint, rows=None):
    tp = make_touchpoint("checkout")
    for key, label in (("delivery", "Delivery time"), ("price", "Price"), ("staff", "Staff")):
        storage.add_driver(conn, tp.id, key, label, f"How was the {key}?")
    for score, ratings in rows or constructed():
        storage.insert_response(conn, tp.id, score, ratings={i + 1: r for i, r in enumerate(ratings)})
    return tp


def test_the_overview_shows_where_to_act_first(admin_client, conn, make_touchpoint):
    fill(conn, make_touchpoint)
    make_touchpoint("invoice")  # no drivers: no matrix
    html = admin_client.get("/admin/").text
    sentence = re.search(r'data-figure="act-first"><strong>(.*?)</strong>', html).group(1)
    assert re.fullmatch(r"Act first on: Delivery time \(importance \d+%, performance \d+\)", sentence)
    assert html.count('class="panel action-matrix"') == 1
    svg = re.search(r'<svg class="chart chart-matrix".*?</svg>', html, re.S).group(0)
    for name in (">Concentrate<", ">Keep up the<", ">Low<", ">Possible<"):
        assert name in svg
    assert svg.count('<circle class="point"') == 3  # none hollow: 600 answers each
    assert "Delivery time: importance" in svg  # the description says it in words
    assert all(int(size) >= 11 for size in re.findall(r'font-size="(\d+)"', svg))
    quadrants = re.findall(r'data-figure="quadrant">([^<]*)<', html)
    assert quadrants[0] == "Concentrate here" and quadrants[1] == "Possible overkill"


def test_few_answers_are_hollow_and_filters_apply(admin_client, conn, make_touchpoint):
    tp = fill(conn, make_touchpoint, constructed(n=12))
    html = admin_client.get("/admin/").text
    svg = re.search(r'<svg class="chart chart-matrix".*?</svg>', html, re.S).group(0)
    assert svg.count('<circle class="point few"') == 3
    assert html.count('<span class="few-tag">few</span>') >= 3
    # Another channel has no ratings: the matrix says so instead of drawing points.
    html = admin_client.get(f"/admin/?period=90d&touchpoint={tp.id}&channel=link").text
    assert "Not enough ratings yet" in html
    assert "<circle" not in re.search(r'<svg class="chart chart-matrix".*?</svg>', html, re.S).group(0)


def test_drivers_on_the_touchpoint_page(admin_client, conn, make_touchpoint):
    tp = make_touchpoint("shop", language="sv")
    page = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert 'id="drivers"' in page and "No drivers yet." in page
    url = f"/admin/touchpoints/{tp.id}/drivers"
    r = admin_client.post(url, data={"csrf_token": admin_client.csrf, "driver_key": "delivery"})
    assert r.status_code == 303 and r.headers["Location"].endswith("#drivers")
    r = admin_client.post(url, data={"csrf_token": admin_client.csrf, "driver_key": "Bad key", "driver_label": "x"})
    assert "short name" in admin_client.get(r.headers["Location"]).text
    r = admin_client.post(url, data={"csrf_token": admin_client.csrf, "driver_key": "speed"})
    assert "give a label" in admin_client.get(r.headers["Location"]).text
    assert [(d.key, d.label) for d in storage.list_drivers(conn, tp.id)] == [("delivery", "Leveranstid")]
    page = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert "Hur nöjd är du med leveranstiden?" in page
    r = admin_client.post(url + "/remove", data={"csrf_token": admin_client.csrf, "driver_key": "delivery"})
    assert r.status_code == 303
    assert storage.list_drivers(conn, tp.id) == []
    assert admin_client.post(url, data={"driver_key": "price"}).status_code == 400  # no CSRF token
    assert storage.list_drivers(conn, tp.id) == []
