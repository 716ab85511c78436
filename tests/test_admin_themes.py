"""The overview's themes: both lists shown for the overview's filters, each
word linked to the comments that use it."""

from __future__ import annotations

import html
import re

from collector import storage


def seed(conn, tp, day="2026-03-02"):
    stamp = f"{day}T10:00:00Z"
    for number in range(12):
        storage.insert_response(
            conn, tp.id, number % 5, comment=["Leveringen var sen", "Dårlig levering"][number % 2], created_at=stamp
        )
        storage.insert_response(conn, tp.id, 7 + number % 2, comment="Lavere priser, tak", created_at=stamp)
        storage.insert_response(
            conn, tp.id, 9 + number % 2, comment=["God service", "Fin kvalitet"][number % 2], created_at=stamp
        )


def section(page: str, category: str) -> str:
    found = re.search(
        rf'<div class="theme-list" id="themes-{category}">.*?</div>\s*(?=<div class="theme-list"|</div>)', page, re.S
    )
    assert found, f"no themes for {category}"
    return found.group(0)


def test_the_overview_shows_both_lists_with_links_to_the_comments(admin_client, conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    seed(conn, tp)
    page = admin_client.get(f"/admin/?period=custom&since=2026-03-01&until=2026-03-07&touchpoint={tp.id}").text
    assert "What the comments are about" in page
    detractors = section(page, "detractor")
    assert "What detractors talk about" in detractors
    assert re.search(r'<tr data-theme="levering">\s*<th scope="row"><a href="[^"]+">levering</a></th>', detractors)
    assert re.search(r'data-figure="comments">12 <span class="hint">\(100%\)', detractors)
    passives = section(page, "passive")
    assert "What would make passives promoters" in passives and ">lavere</a>" in passives

    link = html.unescape(re.search(r'<a href="([^"]+)">levering</a>', detractors).group(1))
    assert link.startswith("/admin/comments?") and "category=detractor" in link and "q=levering" in link
    assert f"touchpoint={tp.id}" in link and "since=2026-03-01" in link
    comments = admin_client.get(link).text
    assert comments.count("Leveringen var sen") == 6 and comments.count("Dårlig levering") == 6


def test_the_filters_apply_to_the_themes(admin_client, conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    seed(conn, tp, day="2026-03-02")
    page = admin_client.get("/admin/?period=custom&since=2026-04-01&until=2026-04-07").text
    assert "No comments from detractors in this selection." in page
    assert "No comments from passives in this selection." in page


def test_too_few_comments_say_so(admin_client, conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    storage.insert_response(conn, tp.id, 2, comment="levering", created_at="2026-03-02T10:00:00Z")
    storage.insert_response(conn, tp.id, 10, comment="fint", created_at="2026-03-02T10:00:00Z")
    page = admin_client.get("/admin/?period=custom&since=2026-03-01&until=2026-03-07").text
    assert "No word stands out clearly in 1 comment against 1 from promoters." in page
