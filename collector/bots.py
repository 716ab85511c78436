"""Known bots and crawlers, recognised by their User-Agent.

A crawler that runs the widget (search engines render pages with a real
browser engine) could post an answer; it is told the answer was stored, so
it has no reason to retry, and nothing is stored. Only agents that say they
are robots match: HTTP libraries (curl, python-requests) and headless
browsers (HeadlessChrome, which real tests drive) are no bots here, since
they are how people test their own setups. ANBEFAL_BOT_FILTER=off turns the
filter off.
"""

from __future__ import annotations

import functools
import re

from flask import current_app, request

_PATTERN = re.compile(
    "|".join(
        [
            # Googlebot, bingbot, YandexBot, Applebot, AhrefsBot, Pingdom.com_bot, ".../bots";
            # not Cubot, a phone maker whose models say "CUBOT X30".
            r"(?<!cu)bot(?:\b|_|s\b)",
            r"spider",  # Baiduspider, Bytespider, 360Spider, Sogou web spider
            r"crawl",
            r"slurp",  # Yahoo
            r"scrape",
            # "(compatible; Name/1.0; +http://example.com/bot.html)": how robots
            # name their information page; browsers never do.
            r"\+https?://",
            r"facebookexternalhit",
            r"facebookcatalog",
            r"ia_archiver",
            r"archive\.org",
            r"mediapartners-google",
            r"google-inspectiontool",
            r"googleother",
            r"google-extended",
            r"feedfetcher",
            r"google-read-aloud",
            r"apis-google",
            r"chrome-lighthouse",
            r"embedly",
            r"skypeuripreview",
            r"slack-imgproxy",
            r"^whatsapp/",  # link previews; WhatsApp opens pages in the phone's own browser
            r"anthropic-ai",
            r"perplexity",
            r"qwantify",
            r"statuscake",
            r"site24x7",
            r"pingdom",
            r"uptimerobot",
        ]
    ),
    re.IGNORECASE,
)


# Browsers send a handful of distinct User-Agents, over and over; remembering
# the verdict spares each answer a search of ~30 patterns (~25 µs).
@functools.lru_cache(maxsize=1024)
def is_bot(user_agent: str | None) -> bool:
    """Return True for the User-Agent of a known bot or crawler."""
    return bool(user_agent) and _PATTERN.search(user_agent) is not None


def request_is_from_bot() -> bool:
    """Return True when this request comes from a known bot and the filter is on."""
    return current_app.config["BOT_FILTER"] and is_bot(request.headers.get("User-Agent"))
