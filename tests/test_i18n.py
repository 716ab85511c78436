"""Every language the survey speaks has every word, on the widget and on the link pages."""

from __future__ import annotations

import string

import pytest

from collector import i18n
from collector.links.texts import LINK_TEXTS


def _shape(texts: dict) -> dict:
    """The keys of *texts*, nested, with the {placeholders} each text fills."""
    shape = {}
    for key, value in texts.items():
        if isinstance(value, dict):
            shape[key] = _shape(value)
        else:
            shape[key] = sorted(name for _, name, _, _ in string.Formatter().parse(value) if name)
    return shape


def test_the_link_pages_speak_the_widget_s_languages():
    assert set(LINK_TEXTS) == set(i18n.LANGUAGES)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_word_of_the_widget(language):
    assert _shape(i18n.TEXTS[language]) == _shape(i18n.TEXTS[i18n.DEFAULT_LANGUAGE])


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_word_of_the_link_pages(language):
    assert _shape(LINK_TEXTS[language]) == _shape(LINK_TEXTS[i18n.DEFAULT_LANGUAGE])
