"""The survey link page asks the touchpoint's drivers after the score; the
ratings are stored with the answer, and a bad one is refused with nothing stored."""

from __future__ import annotations

import re

from test_links import form_token, placeholder_link, rows, support  # noqa: F401

from collector import drivers, storage


def add_drivers(conn, touchpoint):
    for key in ("delivery", "price"):
        label, question = drivers.wording(key, "da", None, None)
        storage.add_driver(conn, touchpoint.id, key, label, question)


def test_the_page_asks_the_drivers_and_stores_the_ratings(client, conn, placeholder_link, support):  # noqa: F811
    add_drivers(conn, support)
    url = placeholder_link + "?ref=T-1"
    page = client.get(url + "&score=4").get_data(as_text=True)
    assert drivers.STEP_TEXTS["da"]["drivers_intro"] in page
    assert page.count('role="radiogroup"') == 3  # the score and two drivers
    assert "Hvor tilfreds er du med leveringstiden?" in page
    assert "1 ud af 5, Dårligt" in page and "5 ud af 5, Fremragende" in page
    token = form_token(page)
    response = client.post(url, data={"score": "4", "driver.delivery": "2", "driver.price": "", "form_token": token})
    assert response.status_code == 200
    [row] = rows(conn)
    assert storage.get_response(conn, row["id"])["drivers"] == {"delivery": 2}
    # The script's early save of the score alone keeps the ratings.
    assert client.post(url, data={"score": "5", "form_token": token, "save": "score"}).status_code == 204
    assert storage.get_response(conn, row["id"])["drivers"] == {"delivery": 2}


def test_a_rating_that_is_no_rating_is_refused_and_kept_on_the_page(client, conn, placeholder_link, support):  # noqa: F811
    add_drivers(conn, support)
    url = placeholder_link + "?ref=T-2"
    token = form_token(client.get(url).get_data(as_text=True))
    data = {"score": "8", "driver.delivery": "9", "driver.price": "4", "form_token": token, "comment": "Fint"}
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert rows(conn) == []
    page = response.get_data(as_text=True)
    assert re.search(r'name="driver.price" value="4" checked', page)


def test_without_drivers_the_page_is_as_before(client, conn, placeholder_link):  # noqa: F811
    page = client.get(placeholder_link + "?ref=T-3").get_data(as_text=True)
    assert 'class="drivers"' not in page
