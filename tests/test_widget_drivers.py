"""The widget's drivers step in real Chromium, on a shop page of another
origin: rated drivers are stored with the answer, and skipping the step
keeps the score."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from test_widget import Shop, api_calls, problems, rows, score_box, shop, wait_for, widget  # noqa: F401

from collector import drivers, i18n, storage

pytestmark = pytest.mark.browser

STEP = drivers.STEP_TEXTS["en"]


def with_drivers(site: Shop) -> storage.Touchpoint:
    tp = site.touchpoint()
    for key in ("delivery", "price"):
        label, question = drivers.wording(key, "en", None, None)
        storage.add_driver(site.conn, tp.id, key, label, question)
    return tp


def rating_box(page: Page, question: str, n: int):
    group = widget(page).get_by_role("radiogroup", name=question)
    return group.locator("label").filter(has=page.locator(f'input[value="{n}"]'))


def test_the_drivers_step_stores_the_ratings_with_the_answer(page: Page, shop: Shop, problems, api_calls):  # noqa: F811
    tp = with_drivers(shop)
    page.goto(shop.page(shop.snippet(tp)))
    score_box(page, 6).click()
    delivery = drivers.STANDARD["delivery"]["en"][1]
    price = drivers.STANDARD["price"]["en"][1]
    expect(widget(page).get_by_text(STEP["drivers_intro"])).to_be_visible()
    # The comment waits until the step is done.
    expect(widget(page).get_by_label(i18n.TEXTS["en"]["followup"]["detractor"])).to_be_hidden()
    # Accessible like the scale: a named radio group, each rating named.
    expect(widget(page).get_by_role("radio", name="1 out of 5, Poor").first).to_be_attached()
    rating_box(page, delivery, 2).click()
    rating_box(page, price, 5).click()
    # Each choice is saved at once.
    wait_for(lambda: rows(shop.conn) and rows(shop.conn)[0]["drivers"] == {"delivery": 2, "price": 5})
    widget(page).get_by_role("button", name=STEP["next"]).click()
    comment = widget(page).get_by_label(i18n.TEXTS["en"]["followup"]["detractor"])
    expect(comment).to_be_focused()
    comment.fill("Slow delivery")
    widget(page).get_by_role("button", name="Send").click()
    expect(widget(page).get_by_role("status")).to_have_text(i18n.TEXTS["en"]["thanks"])
    [row] = wait_for(lambda: [r for r in rows(shop.conn) if r["comment"]])
    assert (row["score"], row["comment"], row["drivers"]) == (6, "Slow delivery", {"delivery": 2, "price": 5})
    assert "PATCH" in " ".join(api_calls)
    assert problems == []


def test_skipping_the_drivers_step_keeps_the_score(page: Page, shop: Shop, problems):  # noqa: F811
    tp = with_drivers(shop)
    page.goto(shop.page(shop.snippet(tp)))
    score_box(page, 9).click()
    widget(page).get_by_role("button", name=STEP["next"]).click()
    widget(page).get_by_role("button", name="Skip").click()
    expect(widget(page).get_by_role("status")).to_have_text(i18n.TEXTS["en"]["thanks"])
    [row] = rows(shop.conn)
    assert (row["score"], row["comment"], row["drivers"]) == (9, None, {})
    assert storage.driver_moments(shop.conn, tp.id) == {}
    assert problems == []


def test_a_touchpoint_without_drivers_goes_straight_to_the_comment(page: Page, shop: Shop, problems):  # noqa: F811
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp)))
    score_box(page, 3).click()
    expect(widget(page).get_by_label(i18n.TEXTS["en"]["followup"]["detractor"])).to_be_visible()
    expect(widget(page).get_by_text(STEP["drivers_intro"])).to_have_count(0)
    assert problems == []
