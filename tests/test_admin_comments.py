"""The comments page and the follow-up loop."""

from __future__ import annotations

import itertools
import random
import re
from datetime import UTC, datetime, timedelta
from html import escape, unescape

import pytest

from collector import storage


def ids_on(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<li class="response" id="r(\d+)">', html)]


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return unescape(found.group(1)) if found else None


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT10:00:00Z")


@pytest.fixture
def answers(make_touchpoint, conn):
    """Responses over some days; returns {name: id}."""
    checkout = make_touchpoint("checkout")
    support = make_touchpoint("support")
    made = {}
    rows = [
        ("late", checkout, 2, "The parcel arrived late", days_ago(6), {"segment": "b2b"}),
        ("fine", checkout, 8, "Fine, but delivery could be faster", days_ago(5), {}),
        ("great", support, 10, "Great support, very quick", days_ago(4), {"agent": "Åse"}),
        ("silent", support, 1, None, days_ago(3), {}),
        ("danish", checkout, 4, "Fakturaen var svær at forstå", days_ago(2), {}),
    ]
    for name, tp, score, comment, when, props in rows:
        made[name] = storage.insert_response(conn, tp.id, score, comment=comment, created_at=when, properties=props)
    return made


def test_comments_newest_first_with_chip_touchpoint_ref_properties(admin_client, answers, conn):
    old = storage.insert_response(conn, 1, 6, comment="With a ref", ref="ORDER-77", created_at="2026-03-06T09:30:00Z")
    html = admin_client.get("/admin/comments?period=all").text
    ids = ids_on(html)
    # Only responses with a comment; newest first.
    assert answers["silent"] not in ids
    assert ids == [answers["danish"], answers["great"], answers["fine"], answers["late"], old]
    # The overview's default range (the last 90 days) applies when the URL names none.
    assert ids_on(admin_client.get("/admin/comments").text) == ids[:-1]
    assert '<span class="chip chip-detractor" id="r' in html and "<strong>2</strong> detractor</span>" in html
    assert "<strong>10</strong> promoter</span>" in html and "<strong>8</strong> passive</span>" in html
    assert "ref <code>ORDER-77</code>" in html
    assert '<span class="key">agent</span> Åse' in html
    assert '<time datetime="2026-03-06T09:30:00Z">2026-03-06 09:30 UTC</time>' in html
    assert "Fakturaen var svær at forstå" in html


def test_category_filter(admin_client, answers):
    html = admin_client.get("/admin/comments?category=detractor").text
    assert ids_on(html) == [answers["danish"], answers["late"]]
    html = admin_client.get("/admin/comments?category=promoter").text
    assert ids_on(html) == [answers["great"]]
    # An unknown category is ignored rather than failing.
    assert len(ids_on(admin_client.get("/admin/comments?category=nonsense").text)) == 4


@pytest.mark.parametrize(
    "query, expected",
    [
        ("late", ["late"]),
        ("deliv", ["fine"]),  # words match as prefixes
        ("DELIVERY faster", ["fine"]),
        ("svær", ["danish"]),
        ("quick support", ["great"]),
        ("parcel nothing", []),
    ],
)
def test_full_text_search(admin_client, answers, query, expected):
    html = admin_client.get("/admin/comments", query_string={"q": query}).text
    assert ids_on(html) == [answers[name] for name in expected]
    if not expected:
        assert "No comments match." in html


@pytest.mark.parametrize(
    "query",
    ['"', 'late"', "AND", "late OR", "NEAR(", "*", "-late", "late*", "(", ")", "col:late", "^late", "'", "{late}"],
)
def test_fts_syntax_characters_never_fail(admin_client, answers, query):
    r = admin_client.get("/admin/comments", query_string={"q": query})
    assert r.status_code == 200
    ids = ids_on(r.text)
    words = re.findall(r"\w+", query)
    if words == ["late"]:  # the operators around it are searched as text, and match nothing else
        assert ids == [answers["late"]]
    elif words:  # AND, OR, NEAR, col are words like any other: no comment has them
        assert ids == []


def test_punctuation_only_search_explains_itself(admin_client, answers):
    r = admin_client.get("/admin/comments", query_string={"q": '"*-()'})
    assert r.status_code == 200
    assert "punctuation alone finds nothing" in r.text
    assert ids_on(r.text) == []


def test_search_text_is_kept_in_the_box_as_text(admin_client, answers):
    html = admin_client.get("/admin/comments", query_string={"q": '"><b>x'}).text
    assert 'value="&#34;&gt;&lt;b&gt;x"' in html


def test_keyset_pagination_walks_every_row_once(app, admin_client, make_touchpoint, conn):
    app.config["ADMIN_PAGE_SIZE"] = 3
    tp = make_touchpoint("checkout")
    # Seven answers, two of them in the same second: the id breaks the tie.
    stamps = [f"2026-01-0{day}T08:00:00Z" for day in (1, 2, 3, 3, 4, 5, 6)]
    made = [storage.insert_response(conn, tp.id, 5, comment=f"c{i}", created_at=when) for i, when in enumerate(stamps)]
    newest_first = sorted(made, key=lambda i: (stamps[made.index(i)], i), reverse=True)

    seen, pages, url = [], [], "/admin/comments?category=detractor&period=all"
    while url:
        html = admin_client.get(url).text
        pages.append(html)
        seen.extend(ids_on(html))
        url = link(html, "next")
        assert url is None or ("category=detractor" in url and "period=all" in url)  # filters ride along
    assert seen == newest_first
    assert [len(ids_on(page)) for page in pages] == [3, 3, 1]
    assert link(pages[0], "prev") is None

    # And back again from the last page.
    back = link(pages[2], "prev")
    assert ids_on(admin_client.get(back).text) == newest_first[3:6]


def test_a_malformed_cursor_shows_the_first_page(admin_client, answers):
    r = admin_client.get("/admin/comments?before=garbage")
    assert r.status_code == 200
    assert len(ids_on(r.text)) == 4


def test_visitor_markup_is_shown_as_text(admin_client, make_touchpoint, conn):
    tp = make_touchpoint()
    storage.insert_response(
        conn,
        tp.id,
        1,
        comment="<img src=x onerror=alert(1)> <b>bold</b>",
        ref="<script>alert(2)</script>",
        properties={"note": "<i>x</i>"},
    )
    html = admin_client.get("/admin/comments").text
    assert "<img src=x" not in html and "<b>bold</b>" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html


# --------------------------------------------------------------------------
# Follow-up
# --------------------------------------------------------------------------


def follow_up(client, response_id, status, note="", next_url="/admin/follow-up"):
    return client.post(
        f"/admin/responses/{response_id}/follow-up",
        data={"status": status, "note": note, "next": next_url, "csrf_token": client.csrf},
    )


def test_mark_contacted_then_resolved(admin_client, answers, conn):
    r = follow_up(admin_client, answers["late"], "contacted", "Called, left a message\r\nwill try again")
    assert r.status_code == 302
    assert r.headers["Location"] == f"/admin/follow-up#r{answers['late']}"
    row = storage.get_response(conn, answers["late"])
    assert row["followup_status"] == "contacted"
    assert row["followup_note"] == "Called, left a message\nwill try again"
    assert row["followup_by"] == "owner@example.com"
    assert row["followup_at"]

    follow_up(admin_client, answers["late"], "resolved", "Refunded the shipping")
    row = storage.get_response(conn, answers["late"])
    assert (row["followup_status"], row["followup_note"]) == ("resolved", "Refunded the shipping")

    html = admin_client.get("/admin/follow-up?show=resolved").text
    assert ids_on(html) == [answers["late"]]
    assert "<strong>Resolved</strong> by owner@example.com" in html
    assert "Refunded the shipping" in html


def test_reopen_keeps_who_did_it(admin_client, answers, conn):
    follow_up(admin_client, answers["late"], "resolved")
    follow_up(admin_client, answers["late"], "open")
    row = storage.get_response(conn, answers["late"])
    assert row["followup_status"] is None and row["followup_by"] == "owner@example.com"
    assert storage.count_followup(conn, "open") == 3


@pytest.mark.parametrize(
    "status, note, message",
    [
        ("done", "", "Choose open, contacted or resolved."),
        ("contacted", "x" * 501, "at most 500 characters"),
        ("contacted", "bell\x07", "control character"),
    ],
)
def test_bad_follow_up_changes_nothing_and_keeps_what_was_typed(admin_client, answers, conn, status, note, message):
    r = follow_up(admin_client, answers["late"], status, note, next_url="/admin/comments?q=late")
    assert r.status_code == 400
    assert message in r.text and "Follow-up not saved" in r.text
    # The form again, for this response, with the note as typed and the way back.
    assert ids_on(r.text) == [answers["late"]]
    assert f">{escape(note)}</textarea>" in r.text
    assert 'name="next" value="/admin/comments?q=late"' in r.text
    if status == "contacted":
        assert re.search(r'value="contacted" checked', r.text)
    assert storage.get_response(conn, answers["late"])["followup_status"] is None
    assert storage.get_response(conn, answers["late"])["followup_by"] is None


def test_follow_up_needs_csrf(admin_client, answers, conn):
    r = admin_client.post(f"/admin/responses/{answers['late']}/follow-up", data={"status": "resolved"})
    assert r.status_code == 400
    assert storage.get_response(conn, answers["late"])["followup_status"] is None


def test_follow_up_needs_login(client, answers, conn):
    r = client.post(f"/admin/responses/{answers['late']}/follow-up", data={"status": "resolved"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/admin/login")
    assert storage.get_response(conn, answers["late"])["followup_status"] is None


def test_follow_up_of_a_missing_response_is_404(admin_client):
    assert follow_up(admin_client, 999, "resolved").status_code == 404


def test_follow_up_redirect_stays_in_the_admin(admin_client, answers):
    r = follow_up(admin_client, answers["late"], "contacted", next_url="https://evil.example/")
    assert r.headers["Location"] == f"/admin/follow-up#r{answers['late']}"
    r = follow_up(admin_client, answers["late"], "contacted", next_url="/admin/comments?q=late")
    assert r.headers["Location"] == f"/admin/comments?q=late#r{answers['late']}"


def test_to_follow_up_lists_open_detractors_with_counts(admin_client, answers, conn):
    html = admin_client.get("/admin/follow-up").text
    # Detractors only, with or without a comment, newest first.
    assert ids_on(html) == [answers["danish"], answers["silent"], answers["late"]]
    assert "No comment." in html
    assert re.search(r'aria-current="page">Detractors to follow up <span class="count">3</span>', html)

    follow_up(admin_client, answers["silent"], "contacted", "Phoned")
    follow_up(admin_client, answers["great"], "resolved", "Thanked")
    html = admin_client.get("/admin/follow-up").text
    assert ids_on(html) == [answers["danish"], answers["late"]]
    assert 'Contacted, not resolved <span class="count">1</span>' in html
    assert 'Resolved <span class="count">1</span>' in html
    assert ids_on(admin_client.get("/admin/follow-up?show=contacted").text) == [answers["silent"]]
    # The open list is detractors only: a category carried over from another tab is ignored there.
    html = admin_client.get("/admin/follow-up?category=promoter").text
    assert ids_on(html) == [answers["danish"], answers["late"]] and 'id="category"' not in html
    assert ids_on(admin_client.get("/admin/follow-up?show=resolved&category=promoter").text) == [answers["great"]]


def test_everything_followed_up_says_so(admin_client, answers):
    for name in ("late", "silent", "danish"):
        follow_up(admin_client, answers[name], "resolved")
    assert "Every detractor has been followed up." in admin_client.get("/admin/follow-up").text


def test_count_open_detractors_applies_the_filter(answers, conn):
    checkout = storage.get_touchpoint_by_name(conn, "checkout")
    assert storage.count_followup(conn, "open") == 3
    assert storage.count_followup(conn, "open", storage.ResponseFilter(touchpoint_id=checkout.id)) == 2
    assert storage.count_followup(conn, "open", storage.ResponseFilter(since=days_ago(5)[:10])) == 2
    storage.set_followup(conn, answers["late"], "contacted", None, "x@example.com")
    assert storage.count_followup(conn, "open", storage.ResponseFilter(touchpoint_id=checkout.id)) == 1


def test_the_pages_use_the_partial_indexes(answers, conn):
    """The list queries read the partial indexes instead of scanning the table."""
    plan = " ".join(
        row[3]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT r.id FROM responses r WHERE r.comment IS NOT NULL"
            " ORDER BY r.created_at DESC, r.id DESC LIMIT 51"
        )
    )
    assert "responses_commented" in plan
    plan = " ".join(
        row[3]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM responses r WHERE r.score <= 6 AND r.followup_status IS NULL"
        )
    )
    assert "responses_open_detractors" in plan


def test_the_overviews_filters_apply(admin_client, answers, conn):
    support = storage.get_touchpoint_by_name(conn, "support")
    assert ids_on(admin_client.get(f"/admin/comments?touchpoint={support.id}").text) == [answers["great"]]
    assert ids_on(admin_client.get("/admin/comments?p.segment=b2b").text) == [answers["late"]]
    assert ids_on(admin_client.get("/admin/comments?channel=link").text) == []
    since = days_ago(5)[:10]
    html = admin_client.get(f"/admin/comments?period=custom&since={since}&category=detractor").text
    assert ids_on(html) == [answers["danish"]]
    # The follow-up view reads the same parameters.
    html = admin_client.get(f"/admin/follow-up?touchpoint={support.id}").text
    assert ids_on(html) == [answers["silent"]]


def test_a_refused_filter_is_explained_and_left_out(admin_client, answers):
    r = admin_client.get("/admin/comments?period=fortnight&touchpoint=abc")
    assert r.status_code == 400
    assert "Unknown period" in r.text and "is not a touchpoint id" in r.text
    assert len(ids_on(r.text)) == 4


def test_follow_up_waits_however_old_the_answer(admin_client, make_touchpoint, conn):
    tp = make_touchpoint()
    old = storage.insert_response(conn, tp.id, 0, created_at="2020-01-01T00:00:00Z")
    assert ids_on(admin_client.get("/admin/follow-up").text) == [old]
    assert ids_on(admin_client.get("/admin/follow-up?period=30d").text) == []


@pytest.mark.parametrize("walk_from", [1, 10**9])
def test_both_search_plans_find_the_same_page(monkeypatch, make_touchpoint, conn, walk_from):
    """A common word walks the index, a rare one sorts its matches: same rows either way."""
    monkeypatch.setattr(storage.listing, "SEARCH_WALK_FROM", walk_from)
    tp = make_touchpoint()
    # ids out of time order, as imported or demo answers may be
    made = {}
    for i, day in enumerate([5, 1, 9, 3, 7, 2, 8]):
        comment = "late parcel" if i % 2 == 0 else "fine"
        made[i] = storage.insert_response(conn, tp.id, 3, comment=comment, created_at=f"2026-02-0{day}T10:00:00Z")
    page = storage.list_responses(conn, search=storage.fts_query("late"), commented=True, limit=2)
    assert [row["id"] for row in page.rows] == [made[2], made[6]]  # days 9 and 8
    rest = storage.list_responses(conn, search=storage.fts_query("late"), commented=True, limit=2, before=page.older)
    assert [row["id"] for row in rest.rows] == [made[4], made[0]]  # days 7 and 5
    assert rest.older is None


def test_after_a_follow_up_the_page_goes_on_to_the_next_answer(admin_client, answers, conn):
    html = admin_client.get("/admin/follow-up").text
    first, second = ids_on(html)[:2]
    # Each form names the answer after it in the list; the last names none.
    assert f'name="then" value="{second}"' in html
    r = admin_client.post(
        f"/admin/responses/{first}/follow-up",
        data={"status": "contacted", "then": str(second), "next": "/admin/follow-up", "csrf_token": admin_client.csrf},
    )
    assert r.headers["Location"] == f"/admin/follow-up#r{second}"
    page = admin_client.get("/admin/follow-up").text
    assert first not in ids_on(page)
    # What it says names the answer as people know it, not by its row id.
    assert "Marked contacted: the " in page and f"Response {first}" not in page
    # A next that is not a number is ignored.
    r = admin_client.post(
        f"/admin/responses/{second}/follow-up",
        data={"status": "contacted", "then": "²", "next": "/admin/follow-up", "csrf_token": admin_client.csrf},
    )
    assert r.headers["Location"] == f"/admin/follow-up#r{second}"


@pytest.mark.parametrize("windows", [(3, 10, 40), (1000,)])
def test_a_common_word_is_found_window_by_window_as_by_sorting_every_match(monkeypatch, make_touchpoint, conn, windows):
    """Walking windows of the newest answers finds the same pages, in the
    same order, as sorting every match, also with ids out of time order."""
    monkeypatch.setattr(storage.listing, "SEARCH_WALK_FROM", 1)
    monkeypatch.setattr(storage.listing, "SEARCH_WINDOWS", windows)
    rng = random.Random(7)
    tp = make_touchpoint()
    words = ["late", "later", "parcel", "fine", "friendly", "slow"]
    stored = []
    for _ in range(150):
        comment = " ".join(rng.sample(words, 2)) if rng.random() < 0.9 else None
        stamp = f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T{rng.randint(10, 23)}:00:00Z"  # some alike
        score = rng.randrange(11)
        answer_id = storage.insert_response(conn, tp.id, score, comment=comment, created_at=stamp)
        stored.append((stamp, answer_id, comment or "", score))
    for word, category in [("late", None), ("parcel", None), ("fri", "detractor"), ("slow late", None)]:
        wanted = [w for w in word.split()]
        expected = [
            answer_id
            for stamp, answer_id, comment, score in sorted(stored, reverse=True)
            if all(any(token.startswith(w) for token in comment.split()) for w in wanted)
            and (category is None or score <= 6)
        ]
        found, cursor, pages = [], None, []
        while True:
            page = storage.list_responses(
                conn, search=storage.fts_query(word), commented=True, category=category, limit=7, before=cursor
            )
            found += [row["id"] for row in page.rows]
            pages.append(page)
            if page.older is None:
                break
            cursor = page.older
        assert found == expected, (word, windows)
        assert len(expected) > 7
        # And back: each page's newer link gives the page before it.
        for before, page in itertools.pairwise(pages):
            back = storage.list_responses(
                conn, search=storage.fts_query(word), commented=True, category=category, limit=7, after=page.newer
            )
            assert [row["id"] for row in back.rows] == [row["id"] for row in before.rows]
