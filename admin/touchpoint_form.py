"""The touchpoint form: what was typed, kept as typed, and checked field by field.

A refused form is shown again with every value as the user typed it and a
readable message beside each field that needs a change; nothing is stored
until every field is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collector import i18n, nps, storage
from collector.links import sender
from collector.origins import normalise_origin
from collector.validation import MAX_TOUCHPOINT_NAME, has_control

MAX_TEXT = 300
MAX_ORIGINS = 50

FIELDS = (
    "name",
    "question",
    "followup_detractor",
    "followup_passive",
    "followup_promoter",
    "language",
    "origins",
    "target_nps",
    "sample_percent",
    "repeat_days",
    *sender.COLUMNS,
)


@dataclass
class TouchpointForm:
    """The form's raw text values and, after validate(), the errors per field."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> TouchpointForm:
        form = cls()
        form.values.update(sample_percent="100", repeat_days="90")
        return form

    @classmethod
    def from_touchpoint(cls, tp: storage.Touchpoint) -> TouchpointForm:
        form = cls()
        form.values.update(
            name=tp.name,
            question=tp.question or "",
            followup_detractor=tp.followup_detractor or "",
            followup_passive=tp.followup_passive or "",
            followup_promoter=tp.followup_promoter or "",
            language=tp.language or "",
            origins="\n".join(tp.origins),
            target_nps="" if tp.target_nps is None else str(tp.target_nps),
            sample_percent=f"{tp.sample_rate * 100:g}",
            repeat_days=str(tp.repeat_days),
        )
        form.values.update({column: sender.shown(column, getattr(tp, column)) for column in sender.COLUMNS})
        return form

    @classmethod
    def from_request(cls, form_data: Any) -> TouchpointForm:
        form = cls()
        for name in FIELDS:
            form.values[name] = str(form_data.get(name, "")).replace("\r\n", "\n")
        return form

    def validate(self) -> dict[str, Any] | None:
        """Return the fields to store, or None with self.errors filled in."""
        self.errors = {}
        v = self.values
        clean: dict[str, Any] = {}

        name = v["name"].strip()
        if not name:
            self.errors["name"] = "Give the touchpoint a name, such as checkout or support."
        elif len(name) > MAX_TOUCHPOINT_NAME:
            self.errors["name"] = f"The name may have at most {MAX_TOUCHPOINT_NAME} characters; it has {len(name)}."
        elif has_control(name):
            self.errors["name"] = "The name cannot contain control characters."
        clean["name"] = name

        for key in ("question", *(f"followup_{cat}" for cat in nps.CATEGORIES)):
            text = " ".join(v[key].split())  # one line, as the survey shows it
            if len(text) > MAX_TEXT:
                self.errors[key] = f"At most {MAX_TEXT} characters, please; this has {len(text)}."
            clean[key] = text or None

        language = v["language"].strip()
        if language and language not in i18n.LANGUAGES:
            self.errors["language"] = "Choose one of the languages in the list."
        clean["language"] = language or None

        origins: list[str] = []
        for line in v["origins"].split("\n"):
            if not line.strip():
                continue
            try:
                origin = normalise_origin(line)
            except ValueError as exc:
                self.errors["origins"] = f"Invalid value: {exc}; give one origin per line."
                break
            if origin not in origins:
                origins.append(origin)
        if len(origins) > MAX_ORIGINS:
            self.errors["origins"] = f"At most {MAX_ORIGINS} origins."
        clean["origins"] = origins

        clean["target_nps"] = self._number("target_nps", -100, 100, "The target NPS", optional=True)
        percent = self._number("sample_percent", 0, 100, "The share of visitors", whole=False)
        clean["sample_rate"] = None if percent is None else round(percent / 100, 6)
        clean["repeat_days"] = self._number("repeat_days", 0, 3650, "The days before asking again")
        shown_by_sender, sender_errors = sender.parse_all(v)
        clean.update(shown_by_sender)
        self.errors.update(sender_errors)
        return None if self.errors else clean

    def _number(self, key: str, low: int, high: int, label: str, *, optional: bool = False, whole: bool = True) -> Any:
        raw = self.values[key].strip().replace(",", ".")
        if not raw:
            if not optional:
                self.errors[key] = f"{label} is needed: a number from {low} to {high}."
            return None
        try:
            number = float(raw)
        except ValueError:
            number = None
        if number is None or number != number or (whole and not number.is_integer()):
            kind = "a whole number" if whole else "a number"
            self.errors[key] = f"{label} must be {kind} from {low} to {high}; “{raw[:20]}” is not."
            return None
        if not low <= number <= high:
            self.errors[key] = f"{label} must be from {low} to {high}; {raw[:20]} is outside."
            return None
        return int(number) if whole else number


def language_defaults() -> dict[str, dict[str, str]]:
    """Return, per language, the default question and follow-up texts (the form's placeholders)."""
    return {
        code: {
            "question": texts["question"],
            **{f"followup_{cat}": texts["followup"][cat] for cat in nps.CATEGORIES},
        }
        for code, texts in i18n.TEXTS.items()
    }
