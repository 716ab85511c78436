"""The overview and export in real Chromium against a real server: filters
live in the URL (change one in the form, reload, open the link anew) and the
CSV download holds what the filters select, formulas made inert and Danish
letters intact."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect

from collector import storage

pytestmark = pytest.mark.browser

WEEK = "/admin/?period=custom&since=2026-03-01&until=2026-03-07"


@pytest.fixture
def answers(live_conn):
    """Ten answers in the first week of March 2026 and four the week before."""
    checkout = storage.insert_touchpoint(live_conn, "checkout", target_nps=40)
    support = storage.insert_touchpoint(live_conn, "support")

    def add(tp, scores, day, **kwargs):
        for score in scores:
            storage.insert_response(live_conn, tp.id, score, created_at=f"{day}T09:30:00Z", **kwargs)

    add(checkout, [10, 9, 9, 8], "2026-03-02", properties={"segment": "private"})
    add(checkout, [3], "2026-03-02", comment='=HYPERLINK("http://evil.example","klik her")', ref="+4512345678")
    add(checkout, [10, 2], "2026-03-07", channel="link", properties={"segment": "business"})
    add(support, [8, 8], "2026-03-05", properties={"segment": "business"}, comment="Rigtig god service, tak! æøå")
    add(support, [10], "2026-03-05", properties={"segment": "business", "afdeling": "Sønderjylland"})
    add(checkout, [9, 6, 6, 7], "2026-02-25")
    return checkout, support


def figure(page, card: str, name: str):
    return page.locator(f'#{card} [data-figure="{name}"]')


def test_filters_live_in_the_url(page, live_server, live_admin, answers):
    checkout, support = answers
    live_admin.log_in(page, WEEK)
    # All: 5 promoters, 3 passives, 2 detractors of 10 -> +30; checkout 4/1/2 of 7 -> +29.
    expect(figure(page, "all", "nps")).to_have_text("+30")
    expect(figure(page, "all", "n")).to_have_text("10")
    expect(figure(page, f"tp{checkout.id}", "nps")).to_have_text("+29")

    # Change the channel in the form: the URL carries it, and every figure follows.
    page.get_by_label("Channel").select_option("link")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(live_server.url + WEEK + "&channel=link")
    expect(figure(page, "all", "n")).to_have_text("2")
    expect(figure(page, "all", "nps")).to_have_text("0")

    # Back to all channels, and a property filter added with the keyboard.
    page.get_by_label("Channel").select_option("")
    page.get_by_label("Property", exact=True).select_option("segment")
    page.get_by_label("equals").fill("business")
    page.get_by_label("equals").press("Enter")
    expect(page).to_have_url(live_server.url + WEEK + "&p.segment=business")
    # business: 10, 2 (checkout) and 8, 8, 10 (support): 2 P, 2 Pa, 1 D -> +20.
    expect(figure(page, "all", "n")).to_have_text("5")
    expect(figure(page, "all", "nps")).to_have_text("+20")
    expect(page.get_by_label("segment =")).to_have_value("business")

    # The same view after a reload, and from the bare link in a new tab.
    url = page.url
    page.reload()
    expect(figure(page, "all", "nps")).to_have_text("+20")
    other = page.context.new_page()
    other.goto(url)
    expect(figure(other, "all", "nps")).to_have_text("+20")
    expect(other.get_by_label("Period")).to_have_value("custom")
    expect(other.get_by_label("From (custom dates)")).to_have_value("2026-03-01")

    # A bad value in a shared link: a readable message, not an error page.
    other.goto(live_server.url + "/admin/?period=fortnight")
    expect(other.get_by_role("alert")).to_contain_text("Unknown period “fortnight”")
    expect(figure(other, "all", "nps")).to_be_visible()


def test_export_download_holds_what_the_filters_select(page, live_server, live_admin, answers, tmp_path: Path):
    live_admin.log_in(page, WEEK + "&touchpoint=1")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    assert re.fullmatch(r"anbefal-responses-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    query = dict(parse_qsl(urlsplit(download.url).query))
    assert (query["touchpoint"], query["since"], query["format"]) == ("1", "2026-03-01", "csv")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    # Checkout only, first week of March: 4 + 1 + 2 answers.
    assert [row["score"] for row in rows] == ["10", "9", "9", "8", "3", "10", "2"]
    formula = rows[4]
    assert formula["comment"] == '\'=HYPERLINK("http://evil.example","klik her")'
    assert formula["ref"] == "'+4512345678"

    # All touchpoints, for Danish Excel: semicolons, a BOM and the Danish letters.
    page.goto(live_server.url + WEEK)
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Danish")).click()
    path = tmp_path / "semicolon.csv"
    info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 10
    assert "Rigtig god service, tak! æøå" in [row["comment"] for row in rows]
    assert "Sønderjylland" in [row["property:afdeling"] for row in rows]
    assert '\'=HYPERLINK("http://evil.example","klik her")' in [row["comment"] for row in rows]
