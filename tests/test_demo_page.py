"""The demo shop's words: every language the widget speaks, every text in each."""

from __future__ import annotations

from collector import demo_page, i18n


def test_the_demo_page_has_words_for_every_language():
    english = demo_page.PAGE_TEXTS["en"]
    assert set(demo_page.PAGE_TEXTS) == set(i18n.LANGUAGES)
    for lang, texts in demo_page.PAGE_TEXTS.items():
        assert set(texts) == set(english), lang
        # Lists are written with | between their items: as many in each language.
        for key in ("nav", "steps", "columns", "items"):
            assert texts[key].count("|") == english[key].count("|"), (lang, key)
        for key in ("title", "lead", "caption"):
            assert "{order}" in texts[key], (lang, key)
        assert "{days}" in texts["expected"] and "{mail}" in texts["contact"], lang


def test_an_unknown_language_gets_english():
    assert demo_page.page_texts("xx") is demo_page.PAGE_TEXTS["en"]
