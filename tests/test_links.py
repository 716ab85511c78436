"""The survey link pages, through Flask's test client: what GET shows, what
POST stores, and the error pages. The real browser tests are in
test_links_browser.py."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from collector import storage
from collector.cli import main
from collector.links.email_block import email_block_text

BASE = "http://localhost"


@pytest.fixture
def support(make_touchpoint):
    return make_touchpoint("support", language="da")


@pytest.fixture
def placeholder_link(tokens, support):
    """The touchpoint's link for a mail template, as the email block makes it."""
    return "/s/" + tokens.make_link_token(support.id, placeholder="{{ticket.id}}")


def form_token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def checked(page: str) -> list[str]:
    return re.findall(r'value="(\d+)" data-category="\w+" checked', page)


def rows(conn) -> list[dict]:
    return [dict(row) for row in conn.execute("SELECT * FROM responses ORDER BY id")]


def assert_page_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


# -- GET and HEAD show, never store ------------------------------------------


def test_page_shows_the_clicked_score_and_its_follow_up_in_the_touchpoints_language(client, conn, placeholder_link):
    response = client.get(placeholder_link + "?score=7&ref=T-1001")
    assert response.status_code == 200
    assert_page_headers(response)
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page
    assert checked(page) == ["7"]
    assert "Hvad skulle vi have gjort, for at du ville give os 9 eller 10?" in page  # the passive's question
    assert '<fieldset role="radiogroup">' in page and "<legend><h1>Hvor sandsynligt" in page
    assert '<label for="comment"' in page and '<textarea id="comment" name="comment"' in page
    assert "7 ud af 10" in page
    # No inline script or style: the page lives under a strict CSP.
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None and "<style" not in page and "style=" not in page
    assert 'action="/s/' in page and "?ref=T-1001" in page
    assert rows(conn) == []


def test_each_of_the_eleven_links_shows_its_own_score_and_stores_nothing(app, client, conn, support):
    with app.test_request_context():
        block = email_block_text(support, "{{ticket.id}}", BASE)
    urls = [line.split(": ", 1)[1].replace("{{ticket.id}}", "4711") for line in block.splitlines() if BASE in line]
    assert len(urls) == 11
    for score, url in enumerate(urls):
        parts = urlsplit(url)
        path = f"{parts.path}?{parts.query}"
        assert client.head(path).status_code == 200
        page = client.get(path).get_data(as_text=True)
        assert checked(page) == [str(score)]
        category = "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"
        assert f'data-category="{category}" checked' in page
    assert rows(conn) == []


@pytest.mark.parametrize("score", ["", "11", "-1", "7.0", "seven", "07", "9%0A", "%D9%A9"])
def test_a_score_that_is_no_score_selects_nothing(client, placeholder_link, score):
    response = client.get(f"{placeholder_link}?score={score}&ref=T-1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert checked(page) == []
    assert "Hvad er den vigtigste grund til din vurdering?" in page


def test_signed_ref_wins_over_a_ref_in_the_query(client, conn, tokens, support):
    link = "/s/" + tokens.make_link_token(support.id, ref="ORDER-9")
    page = client.get(link + "?score=10&ref=SOMEONE-ELSE").get_data(as_text=True)
    assert "SOMEONE-ELSE" not in page and checked(page) == ["10"]
    response = client.post(link, data={"score": "10", "form_token": form_token(page), "comment": "Hurtigt!"})
    assert response.status_code == 200
    assert [(r["ref"], r["score"], r["comment"]) for r in rows(conn)] == [("ORDER-9", 10, "Hurtigt!")]


def test_language_falls_back_to_the_browser_then_english(client, tokens, make_touchpoint):
    tp = make_touchpoint("any-language")
    link = "/s/" + tokens.make_link_token(tp.id, placeholder="{{ticket.id}}") + "?score=3&ref=1"
    assert '<html lang="sv">' in client.get(link, headers={"Accept-Language": "sv-SE,en;q=0.5"}).get_data(True)
    assert '<html lang="nb">' in client.get(link, headers={"Accept-Language": "no"}).get_data(True)
    assert '<html lang="en">' in client.get(link, headers={"Accept-Language": "pt"}).get_data(True)


def test_assets_are_files_of_their_own(client):
    for path, mimetype in (("/s/page.js", "text/javascript"), ("/s/page.css", "text/css")):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


# -- POST stores ------------------------------------------------------------


def test_form_post_stores_score_and_comment_as_a_link_answer(client, conn, placeholder_link, support):
    url = placeholder_link + "?score=3&ref=T-1001"
    token = form_token(client.get(url).get_data(as_text=True))
    response = client.post(
        placeholder_link + "?ref=T-1001", data={"score": "3", "comment": "Svaret kom for sent. 😕", "form_token": token}
    )
    assert response.status_code == 200
    assert_page_headers(response)
    assert "Tak for dit svar!" in response.get_data(as_text=True)
    [row] = rows(conn)
    assert (row["touchpoint_id"], row["ref"], row["score"], row["comment"], row["channel"], row["locale"]) == (
        support.id,
        "T-1001",
        3,
        "Svaret kom for sent. 😕",
        "link",
        "da",
    )


def test_one_answer_per_ref_a_later_score_updates_it_and_keeps_the_comment(client, conn, placeholder_link):
    url = placeholder_link + "?ref=T-7"
    token = form_token(client.get(url + "&score=4").get_data(as_text=True))
    client.post(url, data={"score": "4", "comment": "Slow.", "form_token": token})
    # Later the customer clicks 8 in the mail; the page's script saves the score alone.
    token = form_token(client.get(url + "&score=8").get_data(as_text=True))
    assert client.post(url, data={"score": "8", "form_token": token, "save": "score"}).status_code == 204
    [row] = rows(conn)
    assert (row["score"], row["comment"]) == (8, "Slow.")
    # Then sends the form with a new comment.
    client.post(url, data={"score": "8", "comment": "Better now.", "form_token": token})
    [row] = rows(conn)
    assert (row["score"], row["comment"]) == (8, "Better now.")


def test_honeypot_filled_is_thanked_and_stores_nothing(client, conn, placeholder_link):
    url = placeholder_link + "?ref=T-1"
    token = form_token(client.get(url + "&score=9").get_data(as_text=True))
    response = client.post(url, data={"score": "9", "form_token": token, "anbefal_hp": "https://spam.example"})
    assert response.status_code == 200 and "Tak for dit svar!" in response.get_data(as_text=True)
    response = client.post(url, data={"score": "9", "form_token": token, "anbefal_hp": "x", "save": "score"})
    assert response.status_code == 204
    assert rows(conn) == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"score": "9", "form_token": None}, "kunne ikke knyttes"),
        ({"score": "9", "form_token": "forged"}, "kunne ikke knyttes"),
        ({"comment": "No score"}, "Vælg venligst et tal"),
        ({"score": "11"}, "Vælg venligst et tal"),
        ({"score": "9", "comment": "x" * 2001}, "kunne ikke sendes"),
        ({"score": "9", "comment": "bad \x00 byte"}, "kunne ikke sendes"),
    ],
)
def test_refused_posts_show_the_form_again_with_what_was_sent_and_store_nothing(
    client, conn, placeholder_link, data, message
):
    url = placeholder_link + "?ref=T-1"
    token = form_token(client.get(url + "&score=9").get_data(as_text=True))
    data = {key: value for key, value in {"form_token": token, **data}.items() if value is not None}
    response = client.post(url, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'role="alert"' in page
    assert_page_headers(response)
    if data.get("comment") and "\x00" not in data["comment"]:
        assert data["comment"][:2000] in page
    if "kunne ikke sendes" not in message:  # the script's score-only save sends no comment
        assert client.post(url, data={**data, "save": "score"}).status_code == 400
    assert rows(conn) == []


def test_a_form_token_is_bound_to_its_ref(client, conn, placeholder_link):
    token = form_token(client.get(placeholder_link + "?ref=T-1&score=9").get_data(as_text=True))
    response = client.post(placeholder_link + "?ref=T-2", data={"score": "9", "form_token": token})
    assert response.status_code == 400
    assert rows(conn) == []


def test_an_expired_form_asks_again_and_keeps_the_comment(app, client, conn, placeholder_link, monkeypatch):
    url = placeholder_link + "?ref=T-1"
    token = form_token(client.get(url + "&score=2").get_data(as_text=True))
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + app.config["LINK_FORM_MAX_AGE"] + 1)
    response = client.post(url, data={"score": "2", "comment": "Lang tekst, skrevet længe.", "form_token": token})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Siden har været åben længe" in page
    assert "Lang tekst, skrevet længe." in page and checked(page) == ["2"]
    assert rows(conn) == []
    client.post(url, data={"score": "2", "comment": "Lang tekst, skrevet længe.", "form_token": form_token(page)})
    assert [(r["score"], r["comment"]) for r in rows(conn)] == [(2, "Lang tekst, skrevet længe.")]


# -- links that cannot take an answer -------------------------------------


def test_tampered_link_is_a_readable_404_page(client, conn, placeholder_link):
    tampered = placeholder_link[:-4] + ("AAAA" if not placeholder_link.endswith("AAAA") else "BBBB")
    for method in (client.get, client.post):
        response = method(tampered + "?score=9&ref=T-1", headers={"Accept-Language": "de-DE"})
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        assert_page_headers(response)
        page = response.get_data(as_text=True)
        assert '<html lang="de">' in page and "Dieser Umfrage-Link funktioniert nicht" in page
    assert client.get("/s/not-a-token").status_code == 404
    assert rows(conn) == []


def test_expired_link_is_a_410_page_in_the_touchpoints_language(client, conn, tokens, support):
    link = "/s/" + tokens.make_link_token(support.id, ref="T-1", expires_at=1_000_000)
    response = client.get(link + "?score=9")
    assert response.status_code == 410 and "Undersøgelsen er lukket" in response.get_data(as_text=True)
    assert client.post(link, data={"score": "9"}).status_code == 410
    assert rows(conn) == []


def test_link_of_a_removed_touchpoint_is_a_404_page(client, tokens):
    response = client.get("/s/" + tokens.make_link_token(999, ref="T-1"))
    assert response.status_code == 404 and "This survey no longer exists" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, status, text",
    [
        ("score=9", 400, "Linket til undersøgelsen er ufuldstændigt"),
        ("score=9&ref=", 400, "Linket til undersøgelsen er ufuldstændigt"),
        ("score=9&ref={{ticket.id}}", 400, "Mailsystemet erstattede ikke {{ticket.id}}"),
        ("score=9&ref={%25conversation.number%25}", 400, "Mailsystemet erstattede ikke {%conversation.number%}"),
        ("score=9&ref=%25{ticket.number}", 400, "Mailsystemet erstattede ikke %{ticket.number}"),
        ("score=9&ref=%23{ticket.number}", 400, "Mailsystemet erstattede ikke #{ticket.number}"),
        ("score=9&ref=*|ORDER_ID|*", 400, "Mailsystemet erstattede ikke *|ORDER_ID|*"),
        ("score=9&ref=#{ticket.number}", 400, "Linket til undersøgelsen er ufuldstændigt"),
        ("score=9&ref=" + "x" * 201, 400, "Dette link til undersøgelsen virker ikke"),
        ("score=9&ref=a%01b", 400, "Dette link til undersøgelsen virker ikke"),
    ],
)
def test_links_without_a_usable_ref_explain_and_store_nothing(client, conn, placeholder_link, query, status, text):
    for response in (
        client.get(f"{placeholder_link}?{query}"),
        client.post(f"{placeholder_link}?{query}", data={"score": "9"}),
    ):
        assert response.status_code == status
        assert text in response.get_data(as_text=True)
    assert rows(conn) == []


def test_no_route_of_the_link_pages_sets_a_cookie(client, placeholder_link):
    url = placeholder_link + "?ref=T-1"
    token = form_token(client.get(url + "&score=9").get_data(as_text=True))
    for response in (
        client.get(url + "&score=9"),
        client.post(url, data={"score": "9", "form_token": token}),
        client.post(url, data={"score": "9"}),
        client.get("/s/forged"),
        client.get("/s/page.js"),
    ):
        assert "Set-Cookie" not in response.headers
    assert storage.count_responses(storage.connect(client.application.config["DB"])) == 1


def test_link_answers_show_in_stats_and_export_beside_widget_answers(client, conn, runner, placeholder_link, support):
    storage.insert_response(conn, support.id, 10, ref="W-1")  # from the widget
    url = placeholder_link + "?ref=T-1"
    token = form_token(client.get(url + "&score=2").get_data(as_text=True))
    client.post(url, data={"score": "2", "comment": "Slow", "form_token": token})
    export = runner.invoke(main, ["export", "--touchpoint", "support"], catch_exceptions=False).output.splitlines()
    assert export[0].startswith("id,created_at,touchpoint,score,category,comment,ref,channel")
    assert [line.split(",")[3:8] for line in export[1:]] == [
        ["10", "promoter", "", "W-1", "widget"],
        ["2", "detractor", "Slow", "T-1", "link"],
    ]
    stats = runner.invoke(main, ["stats", "--json"], catch_exceptions=False).output
    [row] = [r for r in json.loads(stats) if r["touchpoint"] == "support"]
    assert row["n"] == 2 and row["nps"] == 0


# -- Who is asking: sender name, logo, brand colour, neutral or coloured scale --


def test_the_page_names_its_sender_with_logo_and_brand_colour(client, conn, tokens, make_touchpoint):
    tp = make_touchpoint(
        "invoice",
        sender_name="Fjordkaffe",
        logo_url="https://cdn.fjordkaffe.example/logo.png",
        brand_colour="#00704a",
    )
    link = "/s/" + tokens.make_link_token(tp.id, ref="T-7")
    response = client.get(link + "?score=9")
    page = response.get_data(as_text=True)
    assert '<p class="sender-name">Fjordkaffe</p>' in page
    assert '<img src="https://cdn.fjordkaffe.example/logo.png" alt="" height="40">' in page
    # The logo's origin, and no other, may send an image; still nothing inline.
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' https://cdn.fjordkaffe.example;" in csp
    assert_page_headers(response)
    # The brand colour comes as a stylesheet of its own.
    assert '<link rel="stylesheet" href="/s/brand-00704a.css">' in page
    css = client.get("/s/brand-00704a.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.get_data(as_text=True) == ":root { --brand: #00704a; }\n"
    # Only a colour the form would accept is served.
    assert client.get("/s/brand-ffcc00.css").status_code == 404
    assert client.get("/s/brand-00704A.css").status_code == 404
    assert client.get("/s/brand-nonsense.css").status_code == 404


def test_the_scale_is_neutral_unless_the_touchpoint_asks_for_colours(client, tokens, make_touchpoint):
    neutral = make_touchpoint("neutral")
    coloured = make_touchpoint("coloured", coloured_scale=1)
    page = client.get("/s/" + tokens.make_link_token(neutral.id, ref="A")).get_data(as_text=True)
    assert '<form class="survey" method="post"' in page
    assert "<header" not in page and "--brand" not in page  # no sender set: no header, the default colour
    page = client.get("/s/" + tokens.make_link_token(coloured.id, ref="A")).get_data(as_text=True)
    assert '<form class="survey coloured" method="post"' in page
    css = client.get("/s/page.css").get_data(as_text=True)
    assert ".score.detractor .number" not in css.replace(".coloured .score.detractor .number", "")


def test_the_thanks_fit_links_with_and_without_a_score(client, tokens, make_touchpoint):
    tp = make_touchpoint("support")
    link = "/s/" + tokens.make_link_token(tp.id, ref="T-9")
    for query, scored, text in [
        ("?score=4", "1", "Click another number in the e-mail"),
        ("", "0", "Open the link from the e-mail again and send a new answer."),
    ]:
        page = client.get(link + query).get_data(as_text=True)
        assert f'name="scored" value="{scored}"' in page
        thanks = client.post(link, data={"score": "4", "form_token": form_token(page), "scored": scored})
        assert text in thanks.get_data(as_text=True)
