"""Every mail language has every word, with the same blanks to fill in."""

from __future__ import annotations

import string

from collector import i18n
from collector.mail import texts


def blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_word_with_the_same_blanks():
    english = texts.TEXTS["en"]
    for language, words in texts.TEXTS.items():
        assert set(words) == set(english), language
        for key, text in words.items():
            assert text.strip(), (language, key)
            assert blanks(text) == blanks(english[key]), (language, key)


def test_the_languages_are_the_five_and_named_as_the_widget_names_them():
    assert list(texts.LANGUAGES) == ["en", "da", "nb", "sv", "de"]
    assert all(texts.LANGUAGES[code] == i18n.TEXTS[code]["name"] for code in texts.LANGUAGES)


def test_an_unknown_language_falls_back_to_english():
    assert texts.words("xx") is texts.TEXTS["en"]
    assert texts.words(None) is texts.TEXTS["en"]
