"""The widget's position, look and triggers in real Chromium: a page on
another origin embeds a real collector's snippet (see test_widget.py)."""

from __future__ import annotations

import pytest
import test_widget
from playwright.sync_api import Page, expect
from test_widget import Shop, rows, score_box, wait_for, widget

from collector import i18n

pytestmark = pytest.mark.browser

# The shop, the page's problems and its API calls, as test_widget.py makes them.
shop = test_widget.shop
problems = test_widget.problems
api_calls = test_widget.api_calls

SIZES = [(360, 740), (1280, 800)]

# Where the panel is and whether anything in it sticks out sideways.
PANEL_BOX = """() => {
    const root = document.querySelector("anbefal-survey").shadowRoot;
    const panel = root.querySelector(".p");
    const box = panel.getBoundingClientRect();
    const outside = [...panel.querySelectorAll("*")].filter((el) => {
        const b = el.getBoundingClientRect();
        return b.width && (b.left < box.left - 0.5 || b.right > box.right + 0.5);
    }).map((el) => el.tagName + "." + el.className);
    return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, tag: panel.tagName.toLowerCase(),
            inner: panel.scrollWidth - panel.clientWidth, outside,
            page: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("position", ["bottom-right", "bottom-left", "center"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_each_position_and_language_fits_the_screen(page: Page, shop: Shop, position, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(reduced_motion="reduce")
    for language in i18n.LANGUAGES:
        tp = shop.touchpoint(f"{position}-{language}", language=language)
        page.goto(shop.page(shop.snippet(tp, position=position), path=f"/{language}"))
        score_box(page, 7).click()  # the follow-up opens: the panel at its tallest
        expect(widget(page).locator("label.f")).to_have_text(i18n.TEXTS[language]["followup"]["passive"])
        box = page.evaluate(PANEL_BOX)
        where = f"{position} {language} at {width} px: {box}"
        assert 0 <= box["left"] and box["right"] <= width, where
        assert 0 <= box["top"] and box["bottom"] <= height, where
        assert box["inner"] == 0 and box["outside"] == [] and box["page"] <= width, where
        assert box["tag"] == ("dialog" if position == "center" else "div"), where
        if position != "center" and width > 480:  # on a phone both corners span the width
            side = box["left"] if position == "bottom-left" else width - box["right"]
            assert side == 16, where
        if position == "center":
            assert abs((box["left"] + box["right"]) / 2 - width / 2) <= 1, where


def test_the_touchpoint_s_position_when_the_tag_names_none(page: Page, shop: Shop):
    page.set_viewport_size({"width": 1280, "height": 800})
    tp = shop.touchpoint(widget_position="bottom-left")
    page.goto(shop.page(shop.snippet(tp)))
    expect(widget(page).locator("legend")).to_be_visible()
    assert page.evaluate(PANEL_BOX)["left"] == 16
    # The tag's own attribute wins over the touchpoint's.
    other = shop.touchpoint("other", widget_position="bottom-left")
    page.goto(shop.page(shop.snippet(other, position="bottom-right"), path="/other"))
    expect(widget(page).locator("legend")).to_be_visible()
    assert page.evaluate(PANEL_BOX)["right"] == 1280 - 16


FOCUS = """() => {
    const host = document.querySelector("anbefal-survey");
    const active = document.activeElement;
    if (host && active === host) return "survey:" + (host.shadowRoot.activeElement || {}).tagName;
    return active ? active.tagName.toLowerCase() + (active.id ? "#" + active.id : "") : "none";
}"""


def test_the_center_dialog_keeps_the_focus_and_closes_on_escape(page: Page, shop: Shop, problems):
    tp = shop.touchpoint(repeat_days=5)
    body = '<button id="before">Order details</button><a id="after" href="#x">Help</a>'
    page.goto(shop.page(shop.snippet(tp, position="center", manual=""), body=body))
    page.locator("#before").focus()
    page.evaluate("() => anbefal('show')")
    dialog = widget(page).get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert page.evaluate("() => document.querySelector('anbefal-survey').shadowRoot.querySelector('dialog').open")
    assert page.evaluate(FOCUS) == "survey:BUTTON"  # the close button, the dialog's first control

    # The page behind is inert: Tab never reaches it, going forward or back
    # (past the dialog's last control it visits the browser's own, as native dialogs do).
    seen = set()
    for key in ["Tab"] * 8 + ["Shift+Tab"] * 8:
        page.keyboard.press(key)
        seen.add(page.evaluate(FOCUS))
    assert "button#before" not in seen and "a#after" not in seen, seen
    assert {"survey:BUTTON", "survey:INPUT"} <= seen

    page.keyboard.press("Escape")
    expect(widget(page)).to_have_count(0)
    expect(page.locator("#before")).to_be_focused()
    assert len(page.evaluate("() => Object.keys(JSON.parse(localStorage.getItem('anbefal')))")) == 1
    assert problems == []


def test_the_center_dialog_takes_an_answer(page: Page, shop: Shop, problems):
    page.set_viewport_size({"width": 360, "height": 740})
    tp = shop.touchpoint(language="fr")
    page.goto(shop.page(shop.snippet(tp, position="center")))
    score_box(page, 9).click()
    widget(page).locator("textarea").fill("Très bien")
    widget(page).get_by_role("button", name=i18n.TEXTS["fr"]["send"]).click()
    expect(widget(page).get_by_role("status")).to_have_text(i18n.TEXTS["fr"]["thanks"])
    [row] = wait_for(lambda: [r for r in rows(shop.conn) if r["comment"]])
    assert (row["score"], row["comment"], row["locale"]) == (9, "Très bien", "fr")
    assert problems == []


TALL = '<div style="height: 4000px">A long product page</div>'
NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def test_the_scroll_trigger_opens_at_the_share_and_not_before(page: Page, shop: Shop, api_calls):
    page.set_viewport_size({"width": 1280, "height": 800})
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp, scroll="50"), body=TALL))
    page.wait_for_load_state("networkidle")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    # Half the page is in view when the window's bottom edge passes its middle.
    at = height / 2 - 800
    for y in (0, at / 2, at - 20):
        page.evaluate("(y) => scrollTo(0, y)", y)
        page.evaluate(NEXT_FRAMES)
    expect(widget(page)).to_have_count(0)
    assert api_calls == []  # not even the configuration is fetched before
    page.evaluate("(y) => scrollTo(0, y)", at + 20)
    expect(widget(page).locator("legend")).to_be_visible()
    assert api_calls == ["GET /widget"]


def test_a_short_page_is_seen_whole_at_once(page: Page, shop: Shop):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp, scroll="90")))
    expect(widget(page).locator("legend")).to_be_visible()


def test_exit_intent_opens_on_a_mouse_leaving_through_the_top(page: Page, shop: Shop, api_calls):
    page.set_viewport_size({"width": 1280, "height": 800})
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp, exit=""), body=TALL))
    page.wait_for_load_state("networkidle")
    page.mouse.move(600, 400)
    page.mouse.move(600, 120, steps=4)
    page.mouse.move(1300, 120)  # out through the right side: not leaving the page
    page.mouse.move(600, 300)
    page.evaluate(NEXT_FRAMES)
    expect(widget(page)).to_have_count(0)
    assert api_calls == []
    page.mouse.move(600, -10)  # up and out, towards the tabs and the address bar
    expect(widget(page).locator("legend")).to_be_visible()


def test_no_exit_intent_on_a_touch_screen(browser, live_server, live_conn, host_site):
    context = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        shop = Shop(live_server, live_conn, host_site)
        tp = shop.touchpoint()
        page.goto(shop.page(shop.snippet(tp, exit="")))
        assert page.evaluate("() => matchMedia('(hover:hover) and (pointer:fine)').matches") is False
        page.evaluate("() => document.dispatchEvent(new MouseEvent('mouseout', {clientY: -1}))")
        page.evaluate(NEXT_FRAMES)
        expect(page.locator("anbefal-survey")).to_have_count(0)
    finally:
        context.close()


ACCENT = "rgb(122, 31, 92)"  # #7a1f5c


def test_the_page_s_custom_properties_change_the_look(page: Page, shop: Shop):
    tp = shop.touchpoint()
    head = """<style>:root { --anbefal-accent: #7a1f5c; --anbefal-text: #222222;
        --anbefal-font: Georgia, serif; --anbefal-radius: 0px; }</style>"""
    page.goto(shop.page(shop.snippet(tp), head=head))
    score_box(page, 9).click()
    send = widget(page).get_by_role("button", name="Send")
    expect(send).to_have_css("background-color", ACCENT)
    expect(widget(page).locator("input:checked + span")).to_have_css("background-color", ACCENT)
    expect(widget(page).get_by_role("button", name="Skip")).to_have_css("color", ACCENT)
    expect(widget(page).locator("legend")).to_have_css("color", "rgb(34, 34, 34)")
    expect(widget(page).locator("legend")).to_have_css("font-family", "Georgia, serif")
    expect(widget(page).locator(".p")).to_have_css("border-radius", "0px")


def test_the_touchpoint_s_look_wins_over_the_page_s(page: Page, shop: Shop):
    tp = shop.touchpoint(accent_colour="#0a5c36", corner_radius=4)
    head = "<style>:root { --anbefal-accent: #7a1f5c; --anbefal-text: #222222; }</style>"
    page.goto(shop.page(shop.snippet(tp), head=head))
    score_box(page, 9).click()
    expect(widget(page).get_by_role("button", name="Send")).to_have_css("background-color", "rgb(10, 92, 54)")
    expect(widget(page).locator(".p")).to_have_css("border-radius", "4px")
    expect(widget(page).locator("legend")).to_have_css("color", "rgb(34, 34, 34)")  # not set on the touchpoint
