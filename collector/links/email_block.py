"""The block of eleven score links to paste into a mail template.

Tables and inline styles only, with bgcolor attributes beside the styles:
that is what Outlook's Word engine, Gmail and Apple Mail all render the
same. The helpdesk's placeholder stays verbatim in every link, for the
template to replace with the ticket id when the mail is sent.
"""

from __future__ import annotations

from html import escape

from .. import i18n, nps, storage
from .making import SCORES, placeholder_urls
from .texts import link_texts_for

# Background and text colour per category, for a touchpoint that asks for a
# coloured scale; each pair has a contrast of at least 4.5:1, so the numbers
# stay readable. They are the colours of a chosen score on the link page
# (assets/page.css); a test holds the two together.
COLOURS = {
    nps.DETRACTOR: ("#c62828", "#ffffff"),
    nps.PASSIVE: ("#f9a825", "#1f2328"),
    nps.PROMOTER: ("#2e7d32", "#ffffff"),
}
# Otherwise the scale is neutral, as the widget's and the link page's are:
# a colour per category could nudge the answer.
NEUTRAL = ("#f5f6f8", "#1f2328")
NEUTRAL_BORDER = "#8c959f"
FONT = "Arial, Helvetica, sans-serif"


def _language(touchpoint: storage.Touchpoint) -> str:
    # A mail has no browser to ask: the touchpoint's language, else English.
    return i18n.choose(touchpoint.language)


def email_block_html(touchpoint: storage.Touchpoint, placeholder: str, base_url: str) -> str:
    """Return the HTML block: the question and the score links 0-10, neutral
    or, if the touchpoint asks for it, coloured by category.

    Raises making.LinkError for a placeholder that cannot stand in a link.
    """
    urls = placeholder_urls(touchpoint, placeholder, base_url)
    texts = link_texts_for(touchpoint, _language(touchpoint))
    cells = []
    for score, url in zip(SCORES, urls, strict=True):
        background, colour = COLOURS[nps.category(score)] if touchpoint.coloured_scale else NEUTRAL
        border = "" if touchpoint.coloured_scale else f"border:1px solid {NEUTRAL_BORDER};"
        label = escape(texts["score_label"].format(n=score))
        # The placeholder holds no & " < >, so escaping the query's own & is all the href needs.
        href = url.replace("&", "&amp;")
        cells.append(
            f'<td width="26" align="center" bgcolor="{background}" style="background-color:{background};'
            f'{border}border-radius:4px;">'
            f'<a href="{href}" title="{label}" style="display:block;padding:9px 0;font-family:{FONT};'
            f"font-size:15px;font-weight:bold;line-height:18px;color:{colour};text-decoration:none;"
            f'">{score}</a></td>'
        )
    question = escape(texts["question"])
    low, high = escape(texts["not_likely"]), escape(texts["very_likely"])
    small = f"font-family:{FONT};font-size:12px;line-height:16px;color:#57606a;padding-top:6px;"
    return "\n".join(
        [
            f"<!-- Anbefal survey: {escape(touchpoint.name)} -->",
            '<table role="presentation" cellpadding="0" cellspacing="3" border="0" '
            'style="border-collapse:separate;border-spacing:3px;margin:16px 0;">',
            f'<tr><td colspan="11" style="font-family:{FONT};font-size:16px;line-height:22px;color:#1f2328;'
            f'padding-bottom:8px;">{question}</td></tr>',
            "<tr>",
            *cells,
            "</tr>",
            f'<tr><td colspan="6" align="left" style="{small}">{low}</td>'
            f'<td colspan="5" align="right" style="{small}text-align:right;">{high}</td></tr>',
            "</table>",
            "<!-- end of Anbefal survey -->",
        ]
    )


def email_block_text(touchpoint: storage.Touchpoint, placeholder: str, base_url: str) -> str:
    """Return the same block for plain-text mail: the question and one link per line."""
    urls = placeholder_urls(touchpoint, placeholder, base_url)
    texts = link_texts_for(touchpoint, _language(touchpoint))
    lines = [texts["question"], "", texts["choose"], ""]
    for score, url in zip(SCORES, urls, strict=True):
        anchor = {0: f" ({texts['not_likely']})", 10: f" ({texts['very_likely']})"}.get(score, "")
        lines.append(f"{score}{anchor}: {url}")
    return "\n".join(lines)
