"""Survey links in real Chromium against a real server: a person answers,
a scanner only loads, and the page works without JavaScript."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from collector import storage
from collector.tokens import Tokens

pytestmark = pytest.mark.browser

SAVED = "Your answer has been saved."
THANKS = "Thank you for your answer!"


@pytest.fixture
def support(live_conn):
    return storage.insert_touchpoint(live_conn, "support")


@pytest.fixture
def signer() -> Tokens:
    return Tokens(["live-test-key"])  # the live server's key


@pytest.fixture
def template_link(live_server, signer, support):
    """The touchpoint's link for a mail template, with a ticket id filled in."""

    def make(ref: str, score: int | None = None) -> str:
        token = signer.make_link_token(support.id, placeholder="{{ticket.id}}")
        query = f"score={score}&ref={ref}" if score is not None else f"ref={ref}"
        return f"{live_server.url}/s/{token}?{query}"

    return make


def rows(conn) -> list[dict]:
    return [dict(row) for row in conn.execute("SELECT * FROM responses ORDER BY id")]


def radio(page, score: int):
    # The names of 0 and 10 carry the anchors too: "0 out of 10, Not at all likely".
    return page.get_by_role("radio", name=re.compile(rf"^{score} out of 10\b"))


def eventually(check, timeout: float = 10.0) -> None:
    """Wait until *check()* holds: the page's script posts in the background."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def watch_posts(page) -> list[str]:
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    return posts


def test_a_person_opens_a_score_link_comments_and_sends(page, live_conn, template_link):
    page.goto(template_link("T-1001", 3))
    expect(radio(page, 3)).to_be_checked()
    comment = page.get_by_label("We are sorry to hear that. What went wrong?")
    comment.click()  # a person acts: the score is stored at once
    expect(page.locator(".status")).to_have_text(SAVED)
    stored = [(r["ref"], r["score"], r["comment"], r["channel"]) for r in rows(live_conn)]
    assert stored == [("T-1001", 3, None, "link")]
    comment.fill("Det tog tre dage. Æøå 🙁")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    [row] = rows(live_conn)
    assert (row["ref"], row["score"], row["comment"], row["channel"], row["locale"]) == (
        "T-1001",
        3,
        "Det tog tre dage. Æøå 🙁",
        "link",
        "en",
    )

    # Days later the same customer clicks 9 in the same mail and only moves the mouse.
    page.goto(template_link("T-1001", 9))
    expect(radio(page, 9)).to_be_checked()
    expect(page.get_by_label("Thank you! What did we do best?")).to_be_visible()
    page.mouse.move(50, 50)
    page.mouse.move(120, 140)
    expect(page.locator(".status")).to_have_text(SAVED)
    [row] = rows(live_conn)
    assert (row["ref"], row["score"], row["comment"]) == ("T-1001", 9, "Det tog tre dage. Æøå 🙁")


def test_changing_the_score_on_the_page_with_the_keyboard_updates_the_answer(page, live_conn, template_link):
    page.goto(template_link("T-2", 6))
    radio(page, 6).focus()
    page.keyboard.press("ArrowRight")  # a key is an act of a person; the change is saved
    expect(radio(page, 7)).to_be_checked()
    expect(page.get_by_label("What would we have had to do for you to give us a 9 or 10?")).to_be_visible()
    expect(page.locator(".status")).to_have_text(SAVED)
    eventually(lambda: [(r["ref"], r["score"]) for r in rows(live_conn)] == [("T-2", 7)])
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    assert [(r["ref"], r["score"]) for r in rows(live_conn)] == [("T-2", 8)]


def test_a_page_load_that_idles_stores_nothing(page, live_conn, template_link):
    posts = watch_posts(page)
    scripts: list[int] = []
    page.on("response", lambda response: scripts.append(response.status) if "/s/page.js" in response.url else None)
    page.goto(template_link("T-3", 10), wait_until="networkidle")
    expect(radio(page, 10)).to_be_checked()
    # The script did load and run (it is what would send the score), and yet nothing was sent.
    assert scripts == [200]
    page.wait_for_load_state("networkidle")
    assert posts == []
    assert rows(live_conn) == []


def test_scanners_head_get_and_render_all_eleven_links_and_store_nothing(page, live_server, live_conn, support):
    env = {**live_server.env, "ANBEFAL_PUBLIC_URL": live_server.url}
    block = subprocess.run(
        [sys.executable, "-m", "collector", "touchpoint", "email-block", "support", "--text"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=os.path.dirname(live_server.db),
    ).stdout
    urls = [line.split(": ", 1)[1].replace("{{ticket.id}}", "T-4") for line in block.splitlines() if "/s/" in line]
    assert len(urls) == 11
    posts = watch_posts(page)
    for score, url in enumerate(urls):
        # As a link checker would, then as a scanner's headless browser that runs scripts.
        assert page.request.head(url).status == 200
        assert page.request.get(url).status == 200
        page.goto(url, wait_until="networkidle")
        expect(radio(page, score)).to_be_checked()
    assert posts == []
    assert rows(live_conn) == []


def test_the_form_works_without_javascript(browser, live_conn, template_link):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(template_link("T-5", 10))
        expect(radio(page, 10)).to_be_checked()
        radio(page, 8).click()  # changes the mind before sending
        page.get_by_label("Thank you! What did we do best?").fill("Kind staff.")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
        assert [(r["ref"], r["score"], r["comment"], r["channel"]) for r in rows(live_conn)] == [
            ("T-5", 8, "Kind staff.", "link")
        ]
        assert context.cookies() == []
    finally:
        context.close()


def test_a_tampered_link_shows_the_error_page(page, live_conn, template_link):
    url = template_link("T-6", 9)
    token = url.split("/s/")[1].split("?")[0]
    tampered = url.replace(token, token[:-2] + ("xx" if not token.endswith("xx") else "yy"))
    response = page.goto(tampered)
    assert response.status == 404
    expect(page.get_by_role("heading", name="This survey link does not work")).to_be_visible()
    assert rows(live_conn) == []


def test_the_page_fits_a_360_px_phone(browser, live_conn, template_link):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(template_link("T-7", 7))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for n in range(11):
            box = page.locator(".score .number").nth(n).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44
        radio(page, 9).tap()  # a touch: stored at once
        expect(page.locator(".status")).to_have_text(SAVED)
        assert [(r["ref"], r["score"]) for r in rows(live_conn)] == [("T-7", 9)]
    finally:
        context.close()
