"""The widget in real Chromium: a page on another origin (http://localhost:<port>)
embeds the snippet of a real collector (http://127.0.0.1:<port>), a person
answers with the mouse or the keyboard, and the tests look at the stored rows."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from collector import i18n, storage
from collector.snippet import snippet_html
from collector.tokens import Tokens

pytestmark = pytest.mark.browser

DAY_MS = 24 * 60 * 60 * 1000
COMMENT = "Blåbærgrød på ærø 😀"


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll *check* until it returns something truthy; fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still {result!r} after {timeout} s")
        time.sleep(0.05)


def rows(conn) -> list[dict[str, Any]]:
    ids = [row[0] for row in conn.execute("SELECT id FROM responses ORDER BY id")]
    return [storage.get_response(conn, response_id) for response_id in ids]


class Shop:
    """Makes touchpoints on the live collector and host pages that embed them."""

    def __init__(self, server, conn, site):
        self.server = server
        self.conn = conn
        self.site = site
        self.tokens = Tokens(["live-test-key"])

    def touchpoint(self, name: str = "checkout", **fields: Any) -> storage.Touchpoint:
        return storage.insert_touchpoint(self.conn, name, **fields)

    def snippet(self, touchpoint: storage.Touchpoint, **attributes: str | None) -> str:
        return snippet_html(self.tokens.make_embed_token(touchpoint.id), self.server.url, **attributes)

    def page(self, snippet: str, *, lang: str = "en", head: str = "", body: str = "", path: str = "/order") -> str:
        """Publish a shop page with *snippet* in it and return its URL."""
        return self.site.page(
            f"""<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Order confirmed</title>{head}</head>
<body>
<h1>Thank you for your order</h1>
<p>Order A-1001 is on its way.</p>
{body}
{snippet}
</body>
</html>""",
            path,
        )


@pytest.fixture
def shop(live_server, live_conn, host_site) -> Shop:
    return Shop(live_server, live_conn, host_site)


# Logged by the browser itself when a request fails, whatever the script does.
BROWSER_NETWORK_MESSAGES = ("Failed to load resource", "Access to fetch at")


@pytest.fixture
def problems(page: Page) -> list[str]:
    """Everything the page reports as an error: uncaught exceptions, rejected
    promises nobody caught, console errors (failed requests aside)."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            found.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith(BROWSER_NETWORK_MESSAGES)
            else None
        ),
    )
    return found


@pytest.fixture
def api_calls(page: Page) -> list[str]:
    """The requests the page makes to the collector's API, as "METHOD path"."""
    calls: list[str] = []
    page.on(
        "request",
        lambda request: (
            calls.append(f"{request.method} {request.url.split('/api/v1', 1)[1].split('?')[0]}")
            if "/api/v1/" in request.url and request.method != "OPTIONS"
            else None
        ),
    )
    return calls


def widget(page: Page):
    return page.locator("anbefal-survey")


def score_box(page: Page, n: int):
    """The visible box of score *n*: what a person clicks."""
    return widget(page).locator("label").filter(has=page.locator(f'input[value="{n}"]'))


def focused(page: Page) -> dict[str, Any] | None:
    """Describe the element that has the focus inside the widget's shadow root."""
    return page.evaluate(
        """() => {
            const host = document.querySelector("anbefal-survey");
            const el = host && host.shadowRoot.activeElement;
            return el && {tag: el.tagName.toLowerCase(), type: el.type || null, value: el.value ?? null,
                          label: el.getAttribute("aria-label"), text: el.textContent};
        }"""
    )


def local_storage(page: Page) -> dict[str, Any] | None:
    raw = page.evaluate("() => localStorage.getItem('anbefal')")
    return None if raw is None else json.loads(raw)


# --------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------


def test_answer_with_the_mouse(page: Page, shop: Shop, problems, api_calls):
    tp = shop.touchpoint(repeat_days=30)
    url = shop.page(shop.snippet(tp, ref="A-1001", properties='{"segment": "b2b", "agent": "Åse"}'))
    page.goto(url)

    expect(widget(page).locator("legend")).to_have_text(i18n.TEXTS["en"]["question"])
    score_box(page, 9).click()

    # Saved the moment it is clicked, before any comment.
    row = wait_for(lambda: rows(shop.conn))[0]
    assert row["score"] == 9 and row["comment"] is None

    comment_box = widget(page).get_by_label(i18n.TEXTS["en"]["followup"]["promoter"])
    comment_box.fill(COMMENT)
    widget(page).get_by_role("button", name="Send").click()
    expect(widget(page).get_by_role("status")).to_have_text(i18n.TEXTS["en"]["thanks"])

    [row] = wait_for(lambda: [r for r in rows(shop.conn) if r["comment"]])
    assert row["score"] == 9
    assert row["comment"] == COMMENT
    assert row["channel"] == "widget"
    assert row["ref"] == "A-1001"
    assert row["properties"] == {"segment": "b2b", "agent": "Åse"}
    assert row["locale"] == "en"
    assert row["page"] == url  # origin and path only: no query string, no fragment
    assert row["touchpoint"] == "checkout"
    # The showing is counted (for the response rate) before the answer.
    assert api_calls == ["GET /widget", "POST /events", "POST /responses", f"PATCH /responses/{row['id']}"]
    assert page.context.cookies() == []
    assert problems == []


def test_answer_with_the_keyboard(page: Page, shop: Shop, problems, api_calls):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp, ref="K-7")))
    expect(widget(page).locator("legend")).to_be_visible()

    # Tab reaches the close button, then the scale; nothing is chosen by focus alone.
    page.keyboard.press("Tab")
    assert focused(page)["label"] == i18n.TEXTS["en"]["close"]
    page.keyboard.press("Tab")
    assert focused(page) == {
        "tag": "input",
        "type": "radio",
        "value": "0",
        "label": "0 out of 10, Not at all likely",
        "text": "",
    }
    assert rows(shop.conn) == []

    page.keyboard.press("Space")  # chooses 0: stored at once
    wait_for(lambda: rows(shop.conn))
    for _ in range(7):  # arrowing chooses each score on the way: still one answer
        page.keyboard.press("ArrowRight")
    assert focused(page)["label"] == "7 out of 10"
    wait_for(lambda: rows(shop.conn)[0]["score"] == 7)

    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "textarea"
    expect(widget(page).locator("label.f")).to_have_text(i18n.TEXTS["en"]["followup"]["passive"])
    page.keyboard.type(COMMENT)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Send"
    page.keyboard.press("Enter")

    # The thanks take the focus, so a screen reader says them.
    expect(widget(page).get_by_role("status")).to_be_focused()
    [row] = wait_for(lambda: [r for r in rows(shop.conn) if r["comment"]])
    assert (row["score"], row["comment"], row["ref"], row["channel"]) == (7, COMMENT, "K-7", "widget")
    assert len(rows(shop.conn)) == 1
    assert api_calls[:3] == ["GET /widget", "POST /events", "POST /responses"]
    assert all(call == f"PATCH /responses/{row['id']}" for call in api_calls[3:])
    assert problems == []


def test_escape_dismisses(page: Page, shop: Shop, problems):
    tp = shop.touchpoint(repeat_days=10)
    page.goto(shop.page(shop.snippet(tp)))
    score_box(page, 3).click()
    wait_for(lambda: rows(shop.conn))
    page.keyboard.press("Escape")
    expect(widget(page)).to_have_count(0)
    assert [r["score"] for r in rows(shop.conn)] == [3]
    assert problems == []


def test_closing_gives_the_focus_back_to_where_it_was(page: Page, shop: Shop, problems):
    tp = shop.touchpoint()
    page.goto(shop.page('<button id="before">Order details</button>' + shop.snippet(tp)))
    expect(widget(page).get_by_role("radio", name="3 out of 10")).to_have_count(1)
    page.locator("#before").focus()
    page.keyboard.press("Tab")  # into the survey: its close button comes first
    assert focused(page)["label"] == i18n.TEXTS["en"]["close"]
    page.keyboard.press("Enter")
    expect(widget(page)).to_have_count(0)
    expect(page.locator("#before")).to_be_focused()
    assert problems == []


def test_skip_keeps_the_score_without_a_comment(page: Page, shop: Shop, problems):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp)))
    score_box(page, 2).click()
    expect(widget(page).locator("label.f")).to_have_text(i18n.TEXTS["en"]["followup"]["detractor"])
    widget(page).get_by_role("button", name="Skip").click()
    expect(widget(page).get_by_role("status")).to_have_text(i18n.TEXTS["en"]["thanks"])
    [row] = rows(shop.conn)
    assert (row["score"], row["comment"]) == (2, None)
    assert problems == []


def test_a_failed_save_says_so_and_the_next_choice_retries(page: Page, shop: Shop, problems):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp)))
    page.route("**/api/v1/responses", lambda route: route.abort("connectionrefused"))
    score_box(page, 8).click()
    expect(widget(page).get_by_role("alert")).to_have_text(i18n.TEXTS["en"]["error"])
    assert rows(shop.conn) == []

    page.unroute("**/api/v1/responses")
    score_box(page, 9).click()
    expect(widget(page).locator("[role=alert]")).to_be_empty()
    wait_for(lambda: [r["score"] for r in rows(shop.conn)] == [9])
    assert problems == []


def test_a_refused_answer_is_sent_again_after_retry_after_and_stored_once(page: Page, shop: Shop, problems, api_calls):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp)))
    refusals = []

    def refuse_once(route):
        if refusals:
            return route.continue_()
        # What a full disk or a busy database answers (collector.errors).
        refusals.append(route.request.url)
        route.fulfill(
            status=503,
            headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Expose-Headers": "Retry-After",
                "Retry-After": "1",
                "Content-Type": "application/json",
            },
            body='{"error": {"code": "storage_busy", "message": "the database is busy"}}',
        )

    page.route("**/api/v1/responses", refuse_once)
    score_box(page, 8).click()
    # Waiting in the browser, so that Playwright runs the route for the retry meanwhile.
    wait_for(lambda: page.wait_for_timeout(50) or [r["score"] for r in rows(shop.conn)] == [8])
    expect(widget(page).locator("[role=alert]")).to_be_empty()
    assert len(refusals) == 1
    # The showing's count (POST /events) goes out with a beacon, in its own time.
    assert sorted(api_calls) == ["GET /widget", "POST /events", "POST /responses", "POST /responses"]
    assert problems == []


def test_screen_reader_names(page: Page, shop: Shop):
    tp = shop.touchpoint(language="da")
    page.goto(shop.page(shop.snippet(tp)))
    texts = i18n.TEXTS["da"]
    group = widget(page).get_by_role("radiogroup", name=texts["question"])
    expect(group).to_be_visible()
    for n in range(11):
        name = f"{n} ud af 10"
        name += ", " + texts["not_likely"] if n == 0 else ", " + texts["very_likely"] if n == 10 else ""
        expect(group.get_by_role("radio", name=name, exact=True)).to_have_count(1)
    expect(widget(page).get_by_role("button", name=texts["close"], exact=True)).to_be_visible()
    expect(widget(page).get_by_role("dialog", name=texts["question"])).to_have_attribute("lang", "da")


# --------------------------------------------------------------------------
# Where it may run, and what it never does to the page
# --------------------------------------------------------------------------


def test_a_disallowed_origin_stores_nothing(page: Page, shop: Shop, problems, host_site):
    tp = shop.touchpoint(origins=["https://shop.example"])
    # The collector says 403 without CORS headers, so the browser lets the
    # script see no answer at all: a failed request.
    with page.expect_event("requestfailed", lambda request: "/api/v1/widget?" in request.url):
        page.goto(shop.page(shop.snippet(tp)))
    page.evaluate("() => anbefal('show')")  # asking again changes nothing
    expect(widget(page)).to_have_count(0)

    # Nor can the page post an answer itself.
    token = shop.tokens.make_embed_token(tp.id)
    outcome = page.evaluate(
        """async ([url, token]) => {
            try {
                const body = JSON.stringify({token, score: 10});
                const r = await fetch(url + "/api/v1/responses", {method: "POST", body});
                return "read " + r.status;
            } catch (e) { return "refused"; }
        }""",
        [shop.server.url, token],
    )
    assert outcome == "refused"
    assert rows(shop.conn) == []
    assert problems == []


HOSTILE_CSS = """
<style>
html { font-size: 41px !important; }
* { font-family: "Comic Sans MS", fantasy !important; font-size: 29px !important; line-height: 3 !important;
    color: #0f0 !important; background: #f0f !important; letter-spacing: 3px !important;
    text-transform: uppercase !important; box-sizing: content-box !important; margin: 7px !important;
    padding: 9px !important; border: 5px dashed red !important; width: auto; min-height: 50px !important; }
div { display: inline !important; width: 90% !important; float: left !important; }
button { display: none !important; width: 300px !important; height: 90px !important; font-size: 50px !important; }
input { display: none !important; width: 120px !important; height: 120px !important; opacity: 1 !important; }
label { display: inline-block !important; font-size: 44px !important; width: 200px !important; color: red !important; }
textarea, fieldset, legend, p, span, form { display: none !important; }
</style>
"""

# What is compared: the box and the look of every part of the widget.
MEASURE = """() => {
    const root = document.querySelector("anbefal-survey").shadowRoot;
    return [...root.querySelectorAll("*")].map((el) => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return {
            el: el.tagName + "." + el.className + (el.value !== undefined ? "=" + el.value : ""),
            box: [box.x, box.y, box.width, box.height].map((v) => Math.round(v * 10) / 10),
            style: ["font-family", "font-size", "line-height", "color", "background-color", "display",
                    "letter-spacing", "text-transform", "padding", "margin", "border"]
                   .map((p) => style.getPropertyValue(p)),
        };
    });
}"""


@pytest.mark.parametrize("width", [1280, 360])
def test_a_hostile_stylesheet_does_not_change_the_widget(page: Page, shop: Shop, problems, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(reduced_motion="reduce")  # no entrance animation: boxes measured at rest

    def measure(head: str, path: str) -> list[dict[str, Any]]:
        tp = shop.touchpoint(path)  # a touchpoint each: answering one keeps the other quiet
        page.goto(shop.page(shop.snippet(tp, manual=""), head=head, path=path))
        page.evaluate("() => anbefal('show', {ref: location.pathname})")
        score_box(page, 8).click()  # opens the follow-up too
        expect(widget(page).locator("textarea")).to_be_visible()
        return page.evaluate(MEASURE)

    plain = measure("", "/plain")
    hostile = measure(HOSTILE_CSS, "/hostile")
    assert len(plain) > 40
    assert hostile == plain
    assert problems == []


def test_the_widget_leaves_the_host_page_alone(page: Page, shop: Shop):
    tp = shop.touchpoint()
    body = '<p id="x">Some text</p><button id="b">A button</button><input id="i"><label id="l">Label</label>'
    page.goto(shop.page(shop.snippet(tp, manual=""), body=body))
    measure_host = """() => ["x", "b", "i", "l"].map((id) => {
        const el = document.getElementById(id), box = el.getBoundingClientRect(), s = getComputedStyle(el);
        return [box.x, box.y, box.width, box.height, s.fontFamily, s.fontSize, s.color, s.backgroundColor, s.display];
    })"""
    before = page.evaluate(measure_host)
    globals_before = page.evaluate("() => Object.keys(window).sort()")
    page.evaluate("() => anbefal('show')")
    expect(widget(page).locator("legend")).to_be_visible()
    assert page.evaluate(measure_host) == before
    assert page.evaluate("() => Object.keys(window).sort()") == globals_before  # anbefal was there already
    assert page.evaluate("() => document.cookie") == ""


@pytest.mark.parametrize(
    "api",
    [
        pytest.param(lambda route: route.abort("connectionrefused"), id="refused"),
        pytest.param(lambda route: route.fulfill(status=500, body="Internal Server Error"), id="500"),
        pytest.param(lambda route: route.fulfill(status=200, body="<html>maintenance</html>"), id="html"),
        pytest.param(lambda route: route.fulfill(status=200, json={"texts": None}), id="odd-json"),
    ],
)
def test_a_collector_that_is_down_leaves_the_page_untouched(page: Page, shop: Shop, problems, api):
    tp = shop.touchpoint()
    url = shop.page(shop.snippet(tp))

    # The page as it is without the widget at all.
    page.route("**/anbefal-*.js", lambda route: route.abort())
    page.goto(url)
    untouched = page.evaluate("() => document.documentElement.outerHTML")
    page.unroute("**/anbefal-*.js")

    # The script loads (say, from a CDN's cache), but the API does not answer.
    page.route("**/api/v1/**", api)
    with page.expect_request(re.compile(r"/api/v1/widget\?")):
        page.goto(url)
    page.evaluate("() => anbefal('show')")  # tries again, fails again, quietly
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof anbefal") == "function"
    assert page.evaluate("() => document.documentElement.outerHTML") == untouched
    assert problems == []


def test_a_collector_that_is_gone_throws_nothing(page: Page, shop: Shop, problems):
    tp = shop.touchpoint()
    shop.server.stop()
    page.goto(shop.page(shop.snippet(tp)))
    page.wait_for_load_state("networkidle")
    expect(widget(page)).to_have_count(0)
    assert problems == []


def test_a_strict_content_security_policy_still_gets_a_styled_widget(page: Page, shop: Shop, problems):
    tp = shop.touchpoint()
    origin = shop.server.url
    csp = f"default-src 'none'; script-src {origin}; connect-src {origin}; style-src 'self'"
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(shop.page(shop.snippet(tp), head=f'<meta http-equiv="Content-Security-Policy" content="{csp}">'))
    panel = widget(page).locator(".p")
    expect(panel).to_have_css("border-radius", "12px")
    expect(panel).to_have_css("position", "fixed")
    score_box(page, 10).click()
    wait_for(lambda: rows(shop.conn))
    assert csp_errors == []
    assert problems == []


def test_it_fits_a_360_pixel_screen(page: Page, shop: Shop):
    page.set_viewport_size({"width": 360, "height": 640})
    tp = shop.touchpoint(language="de")  # the longest words
    page.goto(shop.page(shop.snippet(tp)))
    score_box(page, 10).click()
    expect(widget(page).locator("textarea")).to_be_visible()
    panel = widget(page).locator(".p").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
    assert panel["y"] >= 0 and panel["y"] + panel["height"] <= 640
    for n in range(11):
        box = score_box(page, n).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2 target size
        assert box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


# --------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_each_language_from_the_touchpoint(page: Page, shop: Shop, language):
    tp = shop.touchpoint(language=language)
    page.goto(shop.page(shop.snippet(tp), lang="en"))  # the touchpoint's language wins over the page's
    texts = i18n.TEXTS[language]
    expect(widget(page).locator("legend")).to_have_text(texts["question"])
    expect(widget(page).get_by_role("radio", name=texts["score_label"].format(n=9), exact=True)).to_have_count(1)
    score_box(page, 5).click()
    expect(widget(page).locator("label.f")).to_have_text(texts["followup"]["detractor"])
    expect(widget(page).get_by_role("button", name=texts["send"], exact=True)).to_be_visible()
    wait_for(lambda: rows(shop.conn))
    assert rows(shop.conn)[0]["locale"] == language


def test_data_lang_overrides_the_touchpoint(page: Page, shop: Shop):
    tp = shop.touchpoint(language="da")
    page.goto(shop.page(shop.snippet(tp, lang="sv")))
    expect(widget(page).locator("legend")).to_have_text(i18n.TEXTS["sv"]["question"])


@pytest.mark.parametrize(
    ("html_lang", "language"), [("nb-NO", "nb"), ("de-AT", "de"), ("fr-CA", "fr"), ("pt-BR", "en")]
)
def test_the_pages_language_when_nothing_else_says(page: Page, shop: Shop, html_lang, language):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp), lang=html_lang))
    expect(widget(page).locator("legend")).to_have_text(i18n.TEXTS[language]["question"])


# --------------------------------------------------------------------------
# Showing it: repeat, sample, delay, the JavaScript API, preview
# --------------------------------------------------------------------------


def test_it_stays_away_for_repeat_days_after_an_answer(page: Page, shop: Shop, api_calls):
    tp = shop.touchpoint(repeat_days=30)
    url = shop.page(shop.snippet(tp))
    page.goto(url)
    score_box(page, 10).click()
    wait_for(lambda: rows(shop.conn))
    # Written when the collector's answer reaches the page, just after the row.
    [(key, until)] = wait_for(lambda: local_storage(page)).items()
    now = page.evaluate("() => Date.now()")
    assert key == shop.tokens.make_embed_token(tp.id)
    # A second of slack: Chromium coarsens Date.now(), and two readings taken
    # a moment apart have been seen 1 ms out of order.
    assert 29.9 * DAY_MS < until - now <= 30 * DAY_MS + 1000

    api_calls.clear()
    page.reload()
    page.evaluate("() => anbefal('show')")
    expect(widget(page)).to_have_count(0)
    assert api_calls == []  # not even the configuration is fetched

    # Once the days are over, it asks again.
    page.evaluate("([key]) => localStorage.setItem('anbefal', JSON.stringify({[key]: Date.now() - 1}))", [key])
    page.reload()
    expect(widget(page).locator("legend")).to_be_visible()
    assert page.context.cookies() == []


def test_it_stays_away_after_a_dismissal(page: Page, shop: Shop, api_calls):
    tp = shop.touchpoint(repeat_days=7)
    page.goto(shop.page(shop.snippet(tp)))
    widget(page).get_by_role("button", name="Close survey").click()
    expect(widget(page)).to_have_count(0)
    assert rows(shop.conn) == []
    [until] = local_storage(page).values()
    assert 6.9 * DAY_MS < until - page.evaluate("() => Date.now()") <= 7 * DAY_MS + 1000
    api_calls.clear()
    page.reload()  # async scripts run before the load event that reload() waits for
    expect(widget(page)).to_have_count(0)
    assert api_calls == []


def test_repeat_is_kept_per_touchpoint(page: Page, shop: Shop):
    first = shop.touchpoint("checkout")
    second = shop.touchpoint("invoice")
    page.goto(shop.page(shop.snippet(first), path="/checkout"))
    widget(page).get_by_role("button", name="Close survey").click()
    page.goto(shop.page(shop.snippet(second), path="/invoice"))
    expect(widget(page).locator("legend")).to_be_visible()


def test_the_call_queue_and_show(page: Page, shop: Shop, api_calls):
    tp = shop.touchpoint()
    stub = """<script>
window.anbefal = window.anbefal || function () { (anbefal.q = anbefal.q || []).push(arguments) };
anbefal("show", {ref: "SPA-1", properties: {plan: "pro"}});
</script>"""
    snippet = shop.snippet(tp, manual="", properties='{"segment": "b2b", "plan": "basic"}')
    page.goto(shop.page(snippet, head=stub))
    score_box(page, 6).click()
    [row] = wait_for(lambda: rows(shop.conn))
    assert row["ref"] == "SPA-1"
    assert row["properties"] == {"segment": "b2b", "plan": "pro"}  # the call's properties win


def test_manual_shows_only_when_called(page: Page, shop: Shop, api_calls):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp, manual="")))
    expect(widget(page)).to_have_count(0)
    assert api_calls == []

    page.evaluate("() => anbefal('show', {ref: 4711})")
    score_box(page, 10).click()
    [row] = wait_for(lambda: rows(shop.conn))
    assert row["ref"] == "4711"
    page.evaluate("() => anbefal('show', {ref: 'again'})")  # one survey per page view
    expect(widget(page)).to_have_count(1)
    page.evaluate("() => anbefal('no-such-command')")  # a warning, not an exception


def test_delay(page: Page, shop: Shop, api_calls):
    tp = shop.touchpoint()
    page.clock.install()
    page.goto(shop.page(shop.snippet(tp, delay="20")))
    page.clock.run_for(19_000)
    expect(widget(page)).to_have_count(0)
    assert api_calls == []
    page.clock.run_for(2_000)
    expect(widget(page).locator("legend")).to_be_visible()


@pytest.mark.parametrize(
    ("sample_attr", "touchpoint_rate", "shown"),
    [("0", 1.0, False), ("1", 0.0, True), (None, 0.0, False), (None, 1.0, True)],
)
def test_sample(page: Page, shop: Shop, sample_attr, touchpoint_rate, shown):
    tp = shop.touchpoint(sample_rate=touchpoint_rate)
    page.goto(shop.page(shop.snippet(tp, sample=sample_attr)))
    page.wait_for_load_state("networkidle")
    expect(widget(page)).to_have_count(1 if shown else 0)


def test_preview_behaves_but_stores_nothing(page: Page, shop: Shop, api_calls, problems):
    tp = shop.touchpoint(language="nb", sample_rate=0.0)
    token = shop.tokens.make_embed_token(tp.id)
    # A visitor who answered long ago: the preview shows all the same.
    page.goto(shop.page("", path="/blank"))
    page.evaluate("([t]) => localStorage.setItem('anbefal', JSON.stringify({[t]: Date.now() + 1e9}))", [token])
    before = local_storage(page)

    body = f'<div id="preview">{shop.snippet(tp, preview="")}</div>'
    page.goto(shop.page("", body=body, path="/admin-preview"))
    survey = page.locator("#preview > anbefal-survey")  # in place, not floating over the page
    expect(survey.locator(".p")).to_have_css("position", "relative")
    score_box(page, 8).click()
    widget(page).locator("textarea").fill(COMMENT)
    widget(page).get_by_role("button", name="Send").click()
    expect(widget(page).get_by_role("status")).to_have_text(i18n.TEXTS["nb"]["thanks"])

    assert api_calls == ["GET /widget"]
    assert rows(shop.conn) == []
    assert local_storage(page) == before
    assert problems == []


def test_a_second_copy_on_the_page_does_nothing(page: Page, shop: Shop, problems):
    first = shop.touchpoint("checkout")
    second = shop.touchpoint("support")
    page.goto(shop.page(shop.snippet(first) + shop.snippet(second)))
    expect(widget(page).locator("legend")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(widget(page)).to_have_count(1)
    assert problems == []


# --------------------------------------------------------------------------
# The demo shop page, as `make run` serves it
# --------------------------------------------------------------------------


@pytest.fixture
def demo_server(tmp_path):
    from conftest import LiveServer

    server = LiveServer(str(tmp_path / "demo.db"), tmp_path, args=["--demo"]).start()
    yield server
    server.stop()


@pytest.mark.parametrize("width", [1280, 360])
def test_the_demo_shop_page(page: Page, demo_server, problems, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(demo_server.url + "/demo")
    order = page.locator("main .lead strong").text_content()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your order")

    score_box(page, 10).click()
    widget(page).locator("textarea").fill(COMMENT)
    widget(page).get_by_role("button", name="Send").click()
    expect(widget(page).get_by_role("status")).to_have_text(i18n.TEXTS["en"]["thanks"])
    conn = storage.connect(demo_server.db)
    try:
        row = wait_for(lambda: conn.execute("SELECT * FROM responses WHERE ref = ?", (order,)).fetchone())
        assert (row["score"], row["comment"], row["channel"]) == (10, COMMENT, "widget")
        assert json.loads(row["properties"]) == {"segment": "private", "delivery": "parcel shop"}
    finally:
        conn.close()

    # Answered: a reload leaves it away, and the demo's button brings it back.
    page.reload()
    expect(widget(page)).to_have_count(0)
    page.get_by_role("button", name="Ask me again").click()
    expect(widget(page).locator("legend")).to_be_visible()

    page.get_by_role("link", name="Dansk").click()
    expect(widget(page).locator("legend")).to_have_text(i18n.TEXTS["da"]["question"])
    assert problems == []


def test_a_slip_in_the_properties_loses_no_answer(page: Page, shop: Shop, problems):
    tp = shop.touchpoint()
    properties = {"total": 123.5, "vip": True, "nested": {"a": 1}, "bad key": "x", "none": None, "long": "x" * 300}
    snippet = shop.snippet(tp, ref="R" * 250, properties=json.dumps(properties), manual="")
    page.goto(shop.page(snippet))
    page.evaluate("() => anbefal('show', {properties: ['not', 'a', 'map']})")
    score_box(page, 9).click()
    [row] = wait_for(lambda: rows(shop.conn))
    assert row["properties"] == {"total": "123.5", "vip": "true", "long": "x" * 200}
    assert row["ref"] == "R" * 200
    assert problems == []


@pytest.mark.parametrize("attribute", ["not json", "[1, 2]", '"text"'])
def test_properties_that_are_no_object_are_left_out(page: Page, shop: Shop, problems, attribute):
    tp = shop.touchpoint()
    page.goto(shop.page(shop.snippet(tp, properties=attribute)))
    score_box(page, 4).click()
    [row] = wait_for(lambda: rows(shop.conn))
    assert row["properties"] == {}
    assert problems == []
