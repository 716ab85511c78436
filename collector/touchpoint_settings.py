"""Every touchpoint setting the owner can change, as one table: its command
line option, its column, the rule that checks a value (the admin form and
`anbefal touchpoint set` both use it) and its help.

A rule takes the text as typed and returns the value to store, or raises
ValueError with a sentence that says what is wanted. A new setting is one
more row here: the form and the command line pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from . import i18n, look, nps
from .links import sender
from .origins import normalise_origin
from .validation import MAX_TOUCHPOINT_NAME, has_control

MAX_TEXT = 300
MAX_ORIGINS = 50
MAX_URL = 2000
# What a next step's URL may carry of the answer, and only where the owner writes it.
URL_FIELDS = ("{score}", "{ref}")

Rule = Callable[[str], Any]


def name(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ValueError("Give the touchpoint a name, such as checkout or support.")
    if len(value) > MAX_TOUCHPOINT_NAME:
        raise ValueError(f"The name may have at most {MAX_TOUCHPOINT_NAME} characters; it has {len(value)}.")
    if has_control(value):
        raise ValueError("The name cannot contain control characters.")
    return value


def text(raw: str) -> str | None:
    """One line of text, as the survey shows it; empty: the standard wording (or none)."""
    value = " ".join(raw.split())
    if len(value) > MAX_TEXT:
        raise ValueError(f"At most {MAX_TEXT} characters, please; this has {len(value)}.")
    return value or None


def language(raw: str) -> str | None:
    value = raw.strip()
    if value and value not in i18n.LANGUAGES:
        raise ValueError(f"Choose one of the languages in the list ({', '.join(i18n.LANGUAGES)}).")
    return value or None


def origins(raw: str) -> list[str]:
    """Origins one per line (or separated by spaces or commas); none: any origin."""
    found: list[str] = []
    for item in raw.replace(",", " ").split():
        try:
            origin = normalise_origin(item)
        except ValueError as exc:
            raise ValueError(f"Invalid value: {exc}; give one origin per line.") from None
        if origin not in found:
            found.append(origin)
    if len(found) > MAX_ORIGINS:
        raise ValueError(f"At most {MAX_ORIGINS} origins.")
    return found


def number(low: int, high: int, label: str, *, optional: bool = False, whole: bool = True) -> Rule:
    """Return the rule for a number from *low* to *high* (a comma for the decimal point is fine)."""

    def rule(raw: str) -> Any:
        value = raw.strip().replace(",", ".")
        if not value:
            if optional:
                return None
            raise ValueError(f"{label} is needed: a number from {low} to {high}.")
        try:
            found = float(value)
        except ValueError:
            found = None
        if found is None or found != found or (whole and not found.is_integer()):
            kind = "a whole number" if whole else "a number"
            raise ValueError(f"{label} must be {kind} from {low} to {high}; “{value[:20]}” is not.")
        if not low <= found <= high:
            raise ValueError(f"{label} must be from {low} to {high}; {value[:20]} is outside.")
        return int(found) if whole else found

    return rule


_percent = number(0, 100, "The share of visitors", whole=False)


def sample_percent(raw: str) -> float:
    return round(_percent(raw) / 100, 6)


def switch(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("on", "yes", "true", "1"):
        return True
    if value in ("", "off", "no", "false", "0"):
        return False
    raise ValueError(f"Say on or off; “{value[:20]}” is neither.")


def url(raw: str) -> str | None:
    """An http(s) address for a next step; {score} and {ref} may be written into it."""
    value = raw.strip()
    if not value:
        return None
    if len(value) > MAX_URL:
        raise ValueError(f"At most {MAX_URL} characters, please; this has {len(value)}.")
    if has_control(value) or " " in value:
        raise ValueError("An address has no spaces or control characters.")
    try:
        parts = urlsplit(fill_url(value, 0, ""))
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"“{value[:60]}” is not an address starting with https:// or http://.")
    return value


def fill_url(template: str, score: int, ref: str | None) -> str:
    """Return a next step's URL with {score} and {ref} filled in, URL-encoded; nothing else is added."""
    return template.replace("{score}", str(score)).replace("{ref}", quote(ref or "", safe=""))


@dataclass(frozen=True)
class Option:
    """One touchpoint setting: `--option` on the command line, its column, its rule and help."""

    option: str
    column: str
    rule: Rule
    help: str
    field: str = ""  # the admin form's field, when it is not the column
    show: Callable[[Any], str] = lambda value: "" if value is None else str(value)
    flag: bool = False  # on the command line, --option / --no-option
    on_form: bool = True  # False: set on a panel of its own in the admin (the widget's look)

    @property
    def form_field(self) -> str:
        return self.field or self.column


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def _percent_shown(rate: float) -> str:
    return f"{rate * 100:g}"


OPTIONS: list[Option] = [
    Option("name", "name", name, "A new name for the touchpoint."),
    Option("question", "question", text, "Own wording of the question; '' for the language's standard one."),
    *(
        Option(
            f"followup-{cat}", f"followup_{cat}", text, f"The follow-up question to {cat}s; '' for the standard one."
        )
        for cat in nps.CATEGORIES
    ),
    Option("language", "language", language, "Language of the survey; '' to follow the page's <html lang>."),
    Option("origins", "origins", origins, "Origins allowed to embed it, separated by spaces; '' for any.", show=_lines),
    Option("target", "target_nps", number(-100, 100, "The target NPS", optional=True), "Target NPS; '' for none."),
    Option("sample", "sample_rate", sample_percent, "Share of visitors asked, in %.", "sample_percent", _percent_shown),
    Option(
        "repeat-days",
        "repeat_days",
        number(0, 3650, "The days before asking again"),
        "Days before a browser is asked again.",
    ),
    Option(
        "require-verified",
        "require_verified",
        switch,
        "Refuse answers without a valid signature (403 invalid_signature).",
        show=lambda value: "on" if value else "",
        flag=True,
    ),
    *(
        option
        for cat in nps.CATEGORIES
        for option in (
            Option(f"next-{cat}-text", f"next_{cat}_text", text, f"The next step offered to {cat}s; '' for none."),
            Option(f"next-{cat}-url", f"next_{cat}_url", url, "Its http(s) address; may hold {score} and {ref}."),
        )
    ),
    # Who is asking, on the survey link page (collector.links.sender).
    *(
        Option(
            column.replace("_", "-"), column, parse, help, show=lambda value, column=column: sender.shown(column, value)
        )
        for column, parse, help in sender.OPTIONS
    ),
    # Where the widget shows and how it looks (collector.look): the admin's Look panel.
    *(
        Option(column.replace("_", "-"), column, parse, text, on_form=False)
        for column, parse, text in look.LOOK_SETTINGS
    ),
    Option(
        "followup-hours",
        "followup_hours",
        number(1, 24 * 365, "The hours to follow a detractor up"),
        "Hours after the answer by which a detractor is due.",
        on_form=False,
    ),
]


def form_values(touchpoint: Any) -> dict[str, str]:
    """Return every setting of *touchpoint* as the form shows it."""
    return {option.form_field: option.show(getattr(touchpoint, option.column)) for option in OPTIONS}


def parse(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the given form values (by form field); return (columns to store, errors by form field)."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for option in OPTIONS:
        if option.form_field not in values:
            continue
        try:
            clean[option.column] = option.rule(values[option.form_field])
        except ValueError as exc:
            errors[option.form_field] = str(exc)
    return clean, errors
