"""The admin in real Chromium against a real server: log in with a user made by
the command line, follow up a detractor, see markup as text, copy a snippet
and try the widget preview."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from collector import storage

pytestmark = pytest.mark.browser

MARKUP = "<img src=x onerror=alert(1)> and <b>bold</b>"


@pytest.fixture
def dialogs(page) -> list[str]:
    """Every alert() a page opens (none should)."""
    opened: list[str] = []

    def seen(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    return opened


@pytest.fixture
def csp_reports(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def test_log_in_follow_up_a_detractor_and_see_markup_as_text(
    page, live_server, live_conn, live_admin, dialogs, csp_reports
):
    tp = storage.insert_touchpoint(live_conn, "checkout")
    happy = storage.insert_response(live_conn, tp.id, 10, comment="Lovely")
    angry = storage.insert_response(live_conn, tp.id, 2, comment=MARKUP, ref="ORDER-9", properties={"segment": "b2b"})

    live_admin.log_in(page, "/admin/follow-up")
    card = page.locator(f"#r{angry}")
    expect(card.locator(".comment")).to_have_text(MARKUP)
    expect(card.locator(".comment img")).to_have_count(0)
    expect(card.locator(".comment b")).to_have_count(0)
    expect(card.get_by_text("2 detractor")).to_be_visible()
    expect(page.locator(f"#r{happy}")).to_have_count(0)  # promoters are not on the list

    # Open the form with the keyboard, as well as the mouse would.
    card.get_by_text("Follow up", exact=True).focus()
    page.keyboard.press("Enter")
    card.get_by_label("Contacted").check()
    card.get_by_label("Note").fill("Called; sending a new parcel <today>")
    card.get_by_role("button", name="Save follow-up").click()
    expect(page.get_by_role("status").first).to_contain_text("Marked contacted: the 2 on checkout from ")

    row = storage.get_response(live_conn, angry)
    assert row["followup_status"] == "contacted"
    assert row["followup_note"] == "Called; sending a new parcel <today>"
    assert row["followup_by"] == live_admin.email
    # Contacted: off the open list, on the contacted one, the note as text.
    expect(page.locator(f"#r{angry}")).to_have_count(0)
    page.get_by_role("link", name=re.compile("Contacted, not resolved")).click()
    expect(page.locator(f"#r{angry} .note")).to_have_text("Called; sending a new parcel <today>")

    # The comments page shows the markup as text too.
    page.get_by_role("link", name="Comments").click()
    expect(page.locator(f"#r{angry} .comment")).to_have_text(MARKUP)
    assert dialogs == []
    assert csp_reports == []


def test_wrong_password_then_log_out(page, live_server, live_admin):
    page.goto(live_server.url + "/admin/comments")
    page.get_by_label("Email").fill(live_admin.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    expect(page.get_by_label("Email")).to_have_value(live_admin.email)
    page.get_by_label("Password").fill(live_admin.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/admin/comments")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    page.goto(live_server.url + "/admin/comments")
    expect(page).to_have_url(re.compile(r"/admin/login"))


def test_create_a_touchpoint_copy_its_snippet_and_preview_it(page, live_server, live_conn, live_admin, csp_reports):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    live_admin.log_in(page, "/admin/touchpoints")
    page.get_by_role("link", name="New touchpoint").click()

    # A mistake first: the form comes back with what was typed.
    page.get_by_label("Name", exact=True).fill("invoice")
    page.get_by_label("Language").select_option("da")
    expect(page.get_by_label("Question")).to_have_attribute("placeholder", re.compile("^Hvor sandsynligt"))
    page.get_by_label("Target NPS").fill("200")
    page.get_by_role("button", name="Create touchpoint").click()
    expect(page.get_by_role("alert")).to_contain_text("The target NPS must be from -100 to 100")
    expect(page.get_by_label("Name", exact=True)).to_have_value("invoice")
    expect(page.get_by_label("Target NPS")).to_have_attribute("aria-invalid", "true")
    assert storage.get_touchpoint_by_name(live_conn, "invoice") is None

    page.get_by_label("Target NPS").fill("30")
    page.get_by_role("button", name="Create touchpoint").click()
    expect(page.get_by_role("status").first).to_contain_text("Created touchpoint")
    tp = storage.get_touchpoint_by_name(live_conn, "invoice")
    assert tp.language == "da" and tp.target_nps == 30

    page.get_by_role("button", name="Copy snippet").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#snippet").text_content()
    assert copied.startswith("<script async src=") and "data-anbefal=" in copied

    # The preview shows the widget in Danish; answering it stores nothing.
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_text(re.compile("Hvor sandsynligt er det"))).to_be_visible()
    frame.get_by_role("radio", name=re.compile(r"^2 ud af 10")).check()
    expect(frame.get_by_role("button", name="Send")).to_be_visible()
    frame.get_by_role("button", name="Send").click()
    expect(frame.get_by_text("Tak for dit svar!")).to_be_visible()
    assert storage.count_responses(live_conn) == 0
    assert [report for report in csp_reports if "api/v1/responses" not in report] == []


def test_pages_fit_360_px_and_start_with_a_skip_link(browser, live_server, live_conn, live_admin):
    tp = storage.insert_touchpoint(live_conn, "a-touchpoint-with-a-rather-long-name", origins=["https://shop.example"])
    storage.insert_response(
        live_conn, tp.id, 3, comment="x" * 300, ref="REF-" + "9" * 60, properties={"department": "north-east-" * 5}
    )
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        live_admin.log_in(page, "/admin/comments")
        for path in ("/admin/comments", "/admin/follow-up", "/admin/touchpoints", f"/admin/touchpoints/{tp.id}"):
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} is {overflow} px too wide at 360 px"
            # The first Tab reaches the skip link, which moves on to the main content.
            page.keyboard.press("Tab")
            expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.locator("main")).to_be_focused()
    finally:
        context.close()
