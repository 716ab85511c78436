"""The email block (`anbefal touchpoint email-block`) and the links in it."""

from __future__ import annotations

import html.parser
import re
from importlib.resources import files
from urllib.parse import parse_qsl, urlsplit

import pytest

from collector.cli import main
from collector.links.email_block import COLOURS, NEUTRAL, email_block_html, email_block_text
from collector.links.making import LinkError
from collector.links.sender import contrast

BASE = "https://nps.example.com"


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs)["href"]

    def handle_data(self, data):
        if self._href is not None:
            self.links.append((self._href, data))
            self._href = None


def links_of(block: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(block)
    return parser.links


@pytest.fixture
def cli(runner, app):
    def run(*args):
        app.config["PUBLIC_URL"] = BASE
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def check_links(urls: list[str], tokens, touchpoint_id: int, placeholder: str) -> None:
    assert len(urls) == 11
    for score, url in enumerate(urls):
        # Split by hand: a placeholder such as #{ticket.number} is no URL fragment until the template replaces it.
        address, query = url.split("?", 1)
        assert address.startswith(BASE + "/s/")
        link = tokens.read_link_token(address.removeprefix(BASE + "/s/"))
        assert (link.touchpoint_id, link.ref, link.placeholder) == (touchpoint_id, None, placeholder)
        # The placeholder stands verbatim, unescaped, for the template to replace.
        assert query == f"score={score}&ref={placeholder}"


@pytest.mark.parametrize("placeholder", ["{{ticket.id}}", "{{ ticket.id }}", "#{ticket.number}", "%{ticket.number}"])
def test_html_block_has_eleven_coloured_links_with_the_placeholder_verbatim(app, tokens, make_touchpoint, placeholder):
    tp = make_touchpoint("support", language="da", coloured_scale=1)
    with app.test_request_context():
        block = email_block_html(tp, placeholder, BASE)
    links = links_of(block)
    assert [text for _, text in links] == [str(n) for n in range(11)]
    check_links([href for href, _ in links], tokens, tp.id, placeholder)
    assert block.count(f"ref={placeholder}") == 11
    assert "&amp;ref=" in block  # the query's own & is escaped as HTML wants; the placeholder is not
    assert "anbefale os" in block  # the question in the touchpoint's language
    assert "Slet ikke sandsynligt" in block and "Meget sandsynligt" in block
    # Coloured by category: 7 red, 2 amber, 2 green cells; a table layout, no CSS classes or scripts.
    assert block.count('bgcolor="#c62828"') == 7
    assert block.count('bgcolor="#f9a825"') == 2
    assert block.count('bgcolor="#2e7d32"') == 2
    assert '<table role="presentation"' in block
    assert "class=" not in block and "<script" not in block and "<style" not in block


def test_the_blocks_colours_are_those_of_a_chosen_score_on_the_link_page():
    css = files("collector").joinpath("assets", "page.css").read_text()

    def declarations(selector: str) -> dict[str, str]:
        found = re.search(re.escape(selector) + r" \{([^}]*)\}", css)
        assert found, selector
        return dict(part.strip().split(": ") for part in found.group(1).split(";") if part.strip())

    for category, (background, colour) in COLOURS.items():
        own = declarations(f".coloured .score.{category} input:checked + .number")
        assert own["background"] == background, category
        short = own["color"]  # "#fff" stands for "#ffffff"
        assert (short if len(short) == 7 else "#" + "".join(c * 2 for c in short[1:])) == colour, category


def test_html_block_is_neutral_unless_the_touchpoint_asks_for_colours(app, make_touchpoint):
    """Like the widget's scale: one grey for every score, so no colour nudges the answer."""
    tp = make_touchpoint("support")
    with app.test_request_context():
        block = email_block_html(tp, "{{ticket.id}}", BASE)
    assert block.count(f'bgcolor="{NEUTRAL[0]}"') == 11
    assert not any(background in block for background, _ in COLOURS.values())
    assert contrast(*NEUTRAL) >= 4.5


def test_html_block_escapes_the_touchpoints_own_question(app, make_touchpoint):
    tp = make_touchpoint("support", question="Would you <b>recommend</b> Bolt & Co?")
    with app.test_request_context():
        block = email_block_html(tp, "{{ticket.id}}", BASE)
    assert "Would you &lt;b&gt;recommend&lt;/b&gt; Bolt &amp; Co?" in block


def test_text_block_has_one_link_per_line(app, tokens, make_touchpoint):
    tp = make_touchpoint("support")
    with app.test_request_context():
        text = email_block_text(tp, "{{ticket.id}}", BASE)
    assert "<" not in text
    lines = [line for line in text.splitlines() if "https://" in line]
    assert [line.split(":")[0].split(" ")[0] for line in lines] == [str(n) for n in range(11)]
    assert lines[0].startswith("0 (Not at all likely): ") and lines[10].startswith("10 (Extremely likely): ")
    check_links([line.split(": ", 1)[1] for line in lines], tokens, tp.id, "{{ticket.id}}")
    assert text.splitlines()[0].startswith("How likely is it that you would recommend us")


@pytest.mark.parametrize(
    "placeholder",
    ["", "x" * 201, "{{ticket\x00id}}", '{{ticket.id}}"', "<ticket>", "{{a}}&b=1", "a\\b", "\ud800"],
)
def test_bad_placeholders_are_refused(app, make_touchpoint, placeholder):
    tp = make_touchpoint("support")
    with app.test_request_context(), pytest.raises(LinkError):
        email_block_html(tp, placeholder, BASE)


def test_cli_prints_the_html_block_for_a_placeholder(cli, tokens, conn, make_touchpoint):
    tp = make_touchpoint("support")
    r = cli("touchpoint", "email-block", "support", "--ref-placeholder", "#{ticket.number}")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("<!-- Anbefal survey: support -->")
    check_links([href for href, _ in links_of(r.output)], tokens, tp.id, "#{ticket.number}")


def test_cli_default_placeholder_and_text(cli, tokens, make_touchpoint):
    tp = make_touchpoint("support")
    r = cli("touchpoint", "email-block", "support", "--text")
    assert r.exit_code == 0, r.output
    urls = re.findall(r"https://\S+", r.output)
    check_links(urls, tokens, tp.id, "{{ticket.id}}")


def test_cli_email_block_errors(cli, make_touchpoint):
    r = cli("touchpoint", "email-block", "nope")
    assert r.exit_code == 1 and "no touchpoint called 'nope'" in r.output
    make_touchpoint("support")
    r = cli("touchpoint", "email-block", "support", "--ref-placeholder", '{{"x"}}')
    assert r.exit_code == 2 and "--ref-placeholder" in r.output


def test_cli_warns_on_stderr_when_the_public_url_is_unset(runner, make_touchpoint):
    make_touchpoint("support")
    r = runner.invoke(main, ["touchpoint", "email-block", "support"])
    assert r.exit_code == 0
    assert "ANBEFAL_PUBLIC_URL is not set" in r.stderr
    assert "ANBEFAL_PUBLIC_URL" not in r.stdout
    assert len(links_of(r.stdout)) == 11


def test_help_of_the_link_commands(cli):
    for args in (["touchpoint", "email-block"], ["link"], ["apikey"], ["apikey", "create"]):
        r = cli(*args, "--help")
        assert r.exit_code == 0 and "Usage:" in r.output


def test_cli_link_signs_the_ref(cli, tokens, make_touchpoint):
    tp = make_touchpoint("support")
    r = cli("link", "support", "--ref", "T-1001", "--score", "9", "--expires", "30d")
    assert r.exit_code == 0, r.output
    parts = urlsplit(r.output.strip())
    assert r.output.strip().startswith(BASE + "/s/")
    assert dict(parse_qsl(parts.query)) == {"score": "9"}
    link = tokens.read_link_token(parts.path.removeprefix("/s/"))
    assert (link.touchpoint_id, link.ref) == (tp.id, "T-1001")
    import time

    assert abs(link.expires_at - (time.time() + 30 * 86400)) < 60
    r = cli("link", "support", "--ref", "T-1002")
    link = tokens.read_link_token(urlsplit(r.output.strip()).path.removeprefix("/s/"))
    assert link.expires_at is None and "?" not in r.output


@pytest.mark.parametrize(
    "args, hint",
    [
        (["--ref", ""], "--ref"),
        (["--ref", "x" * 201], "--ref"),
        (["--ref", "a\x01b"], "--ref"),
        (["--ref", "T-1", "--expires", "30"], "--expires"),
        (["--ref", "T-1", "--expires", "30y"], "--expires"),
        (["--ref", "T-1", "--expires", "0d"], "--expires"),
        (["--ref", "T-1", "--score", "11"], "--score"),
    ],
)
def test_cli_link_refuses_bad_input(cli, make_touchpoint, args, hint):
    make_touchpoint("support")
    r = cli("link", "support", *args)
    assert r.exit_code == 2 and hint in r.output
