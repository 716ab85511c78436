"""Known bots and crawlers get a success answer, and nothing is stored."""

from __future__ import annotations

import pytest

from collector import storage
from collector.bots import is_bot

BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) "
    "Chrome/124.0.6367.155 Safari/537.36",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 "
    "Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
    "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "WhatsApp/2.23.20.0",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
    "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
    "(compatible; Bytespider; spider-feedback@bytedance.com)",
    "Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
    "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
    "ia_archiver (+http://www.alexa.com/site/help/webmasters; crawler@alexa.com)",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/114.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
    "Mediapartners-Google",
    "Mozilla/5.0 (compatible; Google-InspectionTool/1.0)",
]

PEOPLE = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    # What Playwright's Chromium sends: the browser tests must be stored.
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.29 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36 Edg/124.0.0.0",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    # A phone maker's name, not a robot.
    "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 9; CUBOT_KINGKONG_5) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36",
    # In-app browsers of social networks are people reading a shared link.
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 [FBAN/FBIOS;FBAV/450.0.0.38.108;FBBV/564431005;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS]",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.230 "
    "Mobile Safari/537.36 Instagram 312.1.0.34.111 Android",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "GSA/311.0.622045452 Mobile/15E148 Safari/604.1",
    # HTTP libraries are how people test their own setup: no robots.
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Werkzeug/3.1.3",
    "",
    None,
]


@pytest.mark.parametrize("user_agent", BOTS)
def test_bots_are_recognised(user_agent):
    assert is_bot(user_agent)


@pytest.mark.parametrize("user_agent", PEOPLE)
def test_people_and_their_tools_are_no_bots(user_agent):
    assert not is_bot(user_agent)


GOOGLEBOT = BOTS[1]
CHROME = PEOPLE[0]


@pytest.fixture
def token(make_touchpoint, tokens):
    return tokens.make_embed_token(make_touchpoint("checkout").id)


def test_a_bot_is_told_its_answer_was_stored_but_nothing_is(client, conn, token):
    person = client.post("/api/v1/responses", json={"token": token, "score": 9}, headers={"User-Agent": CHROME})
    bot = client.post(
        "/api/v1/responses", json={"token": token, "score": 3, "ref": "A-1"}, headers={"User-Agent": GOOGLEBOT}
    )
    assert person.status_code == bot.status_code == 201
    assert set(bot.get_json()) == set(person.get_json()) == {"id", "secret", "next_step"}
    assert isinstance(bot.get_json()["id"], int) and isinstance(bot.get_json()["secret"], str)
    assert storage.count_responses(conn) == 1
    # Its comment is "accepted" the same way.
    patched = client.patch(
        f"/api/v1/responses/{bot.get_json()['id']}",
        json={"secret": bot.get_json()["secret"], "comment": "spam"},
        headers={"User-Agent": GOOGLEBOT},
    )
    assert patched.status_code == 200 and patched.get_json()["comment"] == "spam"
    assert [row["comment"] for row in conn.execute("SELECT comment FROM responses")] == [None]


def test_a_bot_still_gets_errors_for_bad_requests(client, conn, token):
    r = client.post("/api/v1/responses", json={"token": token, "score": 11}, headers={"User-Agent": GOOGLEBOT})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_score"
    r = client.post("/api/v1/responses", json={"token": "forged", "score": 5}, headers={"User-Agent": GOOGLEBOT})
    assert r.status_code == 400
    assert storage.count_responses(conn) == 0


def test_a_bot_cannot_amend_a_real_answer(client, conn, token):
    person = client.post("/api/v1/responses", json={"token": token, "score": 9}, headers={"User-Agent": CHROME})
    body = {"secret": person.get_json()["secret"], "comment": "spam", "score": 0}
    r = client.patch(f"/api/v1/responses/{person.get_json()['id']}", json=body, headers={"User-Agent": GOOGLEBOT})
    assert r.status_code == 200
    row = storage.get_response(conn, person.get_json()["id"])
    assert (row["score"], row["comment"]) == (9, None)


def test_the_filter_can_be_switched_off(tmp_path):
    from collector import create_app
    from collector.tokens import Tokens

    db = str(tmp_path / "bots-off.db")
    app = create_app({"TESTING": True, "DB": db, "SECRET_KEY": "k", "BOT_FILTER": "off"})
    conn = storage.connect(db)
    token = Tokens(["k"]).make_embed_token(storage.insert_touchpoint(conn, "checkout").id)
    body = {"token": token, "score": 3}
    r = app.test_client().post("/api/v1/responses", json=body, headers={"User-Agent": GOOGLEBOT})
    assert r.status_code == 201
    assert storage.count_responses(conn) == 1
    conn.close()
    storage.close_connections()


def test_a_bot_posting_a_survey_link_form_is_thanked_and_nothing_is_stored(client, conn, tokens, make_touchpoint):
    import re

    touchpoint = make_touchpoint("support")
    link = "/s/" + tokens.make_link_token(touchpoint.id, ref="T-1")
    page = client.get(link + "?score=2", headers={"User-Agent": GOOGLEBOT}).get_data(as_text=True)
    form = {"score": "2", "form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1)}
    thanked = client.post(link, data=form, headers={"User-Agent": GOOGLEBOT})
    assert thanked.status_code == 200
    assert client.post(link, data={**form, "save": "score"}, headers={"User-Agent": GOOGLEBOT}).status_code == 204
    assert storage.count_responses(conn) == 0
    assert client.post(link, data=form, headers={"User-Agent": CHROME}).status_code == 200
    assert storage.count_responses(conn) == 1
