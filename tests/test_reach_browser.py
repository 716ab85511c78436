"""The widget's reach in real Chromium: a shop page on another origin
(http://localhost:<port>) embeds a real collector's snippet; the tests look
at the counters and rows the collector stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from collector import customers, i18n, storage
from collector.snippet import snippet_html
from collector.tokens import Tokens

pytestmark = pytest.mark.browser

TEXTS = i18n.TEXTS["en"]


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll *check* until it returns something truthy; fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still {result!r} after {timeout} s")
        time.sleep(0.05)
    return result


class Shop:
    """Touchpoints on the live collector, and pages of the shop that embed them."""

    def __init__(self, server, conn, site):
        self.server, self.conn, self.site = server, conn, site
        self.tokens = Tokens(["live-test-key"])

    def touchpoint(self, name: str, **fields: Any) -> storage.Touchpoint:
        return storage.insert_touchpoint(self.conn, name, **fields)

    def page(self, touchpoint: storage.Touchpoint, path: str, **attributes: str | None) -> str:
        snippet = snippet_html(self.tokens.make_embed_token(touchpoint.id), self.server.url, **attributes)
        html = f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Shop</title><h1>Thank you</h1>{snippet}'
        return self.site.page(html, path)

    def reach(self, touchpoint: storage.Touchpoint) -> storage.Reach:
        return storage.reach_by_touchpoint(self.conn).get(touchpoint.id, storage.Reach())

    def responses(self) -> list[dict[str, Any]]:
        ids = [row[0] for row in self.conn.execute("SELECT id FROM responses ORDER BY id")]
        return [storage.get_response(self.conn, response_id) for response_id in ids]


@pytest.fixture
def shop(live_server, live_conn, host_site) -> Shop:
    return Shop(live_server, live_conn, host_site)


def widget(page: Page):
    return page.locator("anbefal-survey")


def choose(page: Page, score: int) -> None:
    widget(page).locator("label").filter(has=page.locator(f'input[value="{score}"]')).click()


def test_shown_and_dismissed_are_counted_once(page: Page, shop: Shop):
    tp = shop.touchpoint("checkout")
    page.goto(shop.page(tp, "/order"))
    expect(widget(page).locator("legend")).to_have_text(TEXTS["question"])
    wait_for(lambda: shop.reach(tp).shown == 1)
    widget(page).get_by_role("button", name=TEXTS["close"]).click()
    expect(widget(page)).to_have_count(0)
    wait_for(lambda: shop.reach(tp).dismissed == 1)
    # Leaving the page, and coming back within the repeat days, count nothing more.
    page.goto(shop.page(tp, "/order-2"))
    page.evaluate("() => fetch('/order-2')")  # a round trip after the page's own requests
    assert (shop.reach(tp).shown, shop.reach(tp).dismissed, shop.reach(tp).answered) == (1, 1, 0)
    assert shop.reach(tp).response_rate == 0


def test_an_answer_is_no_dismissal_and_makes_the_response_rate(page: Page, shop: Shop):
    tp = shop.touchpoint("checkout")
    page.goto(shop.page(tp, "/order", ref="A-1"))
    choose(page, 8)
    wait_for(shop.responses)
    widget(page).get_by_role("button", name=TEXTS["close"]).click()
    wait_for(lambda: shop.reach(tp).answered == 1)
    assert (shop.reach(tp).shown, shop.reach(tp).dismissed) == (1, 0)
    assert shop.reach(tp).response_rate == 1


def test_a_wrong_signature_is_refused_where_the_touchpoint_requires_it(page: Page, shop: Shop):
    tp = shop.touchpoint("checkout", require_verified=True)
    key = customers.signing_key(shop.conn)
    page.goto(shop.page(tp, "/order", ref="A-1", ref_sig=customers.sign(key, customers.REF, "A-2")))
    refused = []
    page.on("response", lambda r: refused.append(r.status) if r.url.endswith("/api/v1/responses") else None)
    choose(page, 9)
    expect(widget(page).get_by_role("alert")).to_have_text(TEXTS["error"])
    assert refused == [403]
    assert shop.responses() == []
    # Signed right, the same answer is taken, and marked verified.
    page.goto(shop.page(tp, "/order-ok", ref="A-1", ref_sig=customers.sign(key, customers.REF, "A-1")))
    choose(page, 9)
    [row] = wait_for(shop.responses)
    assert (row["ref"], row["verified"]) == ("A-1", 1)


def test_a_customer_who_answered_at_one_touchpoint_is_not_asked_at_another(page: Page, shop: Shop):
    checkout, invoice = shop.touchpoint("checkout"), shop.touchpoint("invoice")
    key = customers.signing_key(shop.conn)
    signed = {"customer": "C-77", "customer_sig": customers.sign(key, customers.CUSTOMER, "C-77")}
    page.goto(shop.page(checkout, "/order", **signed))
    choose(page, 9)
    [row] = wait_for(shop.responses)
    assert row["verified"] == 1

    with page.expect_response(lambda r: "/api/v1/widget" in r.url) as config:
        page.goto(shop.page(invoice, "/invoice", **signed))
    assert config.value.json()["ask"] is False
    page.evaluate("() => fetch('/invoice')")  # a round trip after the widget's settings
    expect(widget(page)).to_have_count(0)
    assert shop.reach(invoice).shown == 0

    # Another customer (or one whose signature does not hold) is asked.
    page.goto(shop.page(invoice, "/invoice-2", customer="C-77", customer_sig="0" * 64))
    expect(widget(page).locator("legend")).to_have_text(TEXTS["question"])


def test_the_promoters_next_step_is_shown_and_its_click_counted(page: Page, shop: Shop, host_site):
    review = host_site.page("<!doctype html><title>Review</title><h1>Review us</h1>", "/review")
    tp = shop.touchpoint(
        "checkout", next_promoter_text="Would you review us?", next_promoter_url=review + "?order={ref}"
    )
    page.goto(shop.page(tp, "/order", ref="A 1"))
    choose(page, 10)
    widget(page).get_by_role("button", name=TEXTS["send"]).click()
    expect(widget(page).get_by_role("status")).to_have_text(TEXTS["thanks"])
    link = widget(page).get_by_role("link", name="Would you review us?")
    expect(link).to_be_visible()
    with page.context.expect_page() as opened:
        link.click()
    opened.value.wait_for_load_state()
    assert opened.value.url == review + "?order=A%201"
    wait_for(lambda: shop.reach(tp).clicked == 1)


def test_a_detractor_gets_no_promoters_step(page: Page, shop: Shop):
    tp = shop.touchpoint("checkout", next_promoter_text="Review us", next_promoter_url="https://review.example/")
    page.goto(shop.page(tp, "/order"))
    choose(page, 3)
    widget(page).get_by_role("button", name=TEXTS["send"]).click()
    expect(widget(page).get_by_role("status")).to_have_text(TEXTS["thanks"])
    expect(widget(page).get_by_role("link")).to_have_count(0)
