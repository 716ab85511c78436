"""The touchpoint form: what was typed, kept as typed, and checked field by field.

A refused form is shown again with every value as the user typed it and a
readable message beside each field that needs a change; nothing is stored
until every field is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collector import i18n, nps, storage, touchpoint_settings

# The form's fields: one per touchpoint setting, checked by its rule in
# collector.touchpoint_settings, as `anbefal touchpoint set` checks it.
FIELDS = tuple(option.form_field for option in touchpoint_settings.OPTIONS if option.on_form)


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
        form.values.update(touchpoint_settings.form_values(tp))
        return form

    @classmethod
    def from_request(cls, form_data: Any) -> TouchpointForm:
        form = cls()
        for name in FIELDS:
            form.values[name] = str(form_data.get(name, "")).replace("\r\n", "\n")
        return form

    def validate(self) -> dict[str, Any] | None:
        """Return the fields to store, or None with self.errors filled in."""
        clean, self.errors = touchpoint_settings.parse(self.values)
        return None if self.errors else clean


def language_defaults() -> dict[str, dict[str, str]]:
    """Return, per language, the default question and follow-up texts (the form's placeholders)."""
    return {
        code: {
            "question": texts["question"],
            **{f"followup_{cat}": texts["followup"][cat] for cat in nps.CATEGORIES},
        }
        for code, texts in i18n.TEXTS.items()
    }
