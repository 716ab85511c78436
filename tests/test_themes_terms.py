"""A comment's terms: stems in its language, two-word phrases, stop words left out."""

from __future__ import annotations

import pytest

from collector.themes.terms import (
    SNOWBALL_NAMES,
    STOP_LISTS,
    comment_terms,
    guess_language,
    language_code,
    stem,
    stop_words,
    words,
)

LANGUAGES = ("da", "nb", "sv", "de", "en")


def test_forms_of_one_word_are_one_term_with_the_first_form_kept():
    terms = comment_terms("Leveringen var for sen. Dårlig levering, og leveringer generelt!", "da-DK")
    assert terms["levering"] == "leveringen"
    assert sum(1 for term in terms if term == "levering") == 1


@pytest.mark.parametrize(
    ("language", "forms", "expected"),
    [
        ("da", ["levering", "leveringen", "leveringer"], "levering"),
        ("nb", ["levering", "leveringen", "leveringer"], "levering"),
        ("sv", ["leveransen", "leveranser", "leveranserna"], "leverans"),
        ("de", ["Lieferung", "Lieferungen"], "liefer"),
        ("en", ["delivery", "deliveries"], "deliveri"),
    ],
)
def test_each_language_stems_its_own_words(language, forms, expected):
    assert {stem(form.lower(), language) for form in forms} == {expected}


def test_phrases_are_two_words_in_a_row_within_a_sentence():
    terms = comment_terms("Rask levering. Pakken kom", "nb")
    assert terms["rask levering"] == "rask levering"
    assert not any(term.startswith("levering ") for term in terms)  # the full stop ends the phrase


def test_a_stop_word_breaks_a_phrase():
    terms = comment_terms("levering var sen", "da")  # "var" is a stop word
    assert "levering sen" not in terms and "levering" in terms and "sen" in terms


@pytest.mark.parametrize("language", LANGUAGES)
def test_stop_words_never_appear(language):
    stops = stop_words(language)
    assert len(stops) > 50
    text = " ".join(sorted(stops)) + ", " + ". ".join(sorted(stops))
    assert comment_terms(text, language) == {}
    terms = comment_terms("service " + " ".join(sorted(stops)) + " service", language)
    assert all(word not in stops for term in terms for word in term.split(" "))


def test_every_shipped_stop_list_is_read():
    for name in STOP_LISTS:
        codes = [code for code, known in SNOWBALL_NAMES.items() if known == name]
        assert codes and stop_words(codes[0])


def test_other_languages_fall_back():
    # Snowball has a Polish stemmer but the project ships no Polish stop words.
    assert comment_terms("szybka dostawa", "pl-PL") == {
        "szybk": "szybka",
        "dostaw": "dostawa",
        "szybk dostaw": "szybka dostawa",
    }
    # No stemmer and no stop words: the words as written, lowercased.
    assert comment_terms("Très Rapide", "xx") == {"très": "très", "rapide": "rapide", "très rapide": "très rapide"}
    assert comment_terms("x y 42 !!", None) == {}


def test_language_code():
    assert language_code("da-DK") == "da"
    assert language_code("nb_NO") == "nb"
    assert language_code("") is None and language_code(None) is None


def test_a_comment_clearly_in_another_language_is_read_in_that_language():
    # An English comment on a Danish touchpoint: English stems, English stop words.
    assert comment_terms("The parcel arrived late and nobody told me", "da") == {
        "parcel": "parcel",
        "arriv": "arrived",
        "parcel arriv": "parcel arrived",
        "late": "late",
        "arriv late": "arrived late",
        "nobodi": "nobody",
        "told": "told",
        "nobodi told": "nobody told",
    }
    # As many Danish as Norwegian stop words: the declared language stands.
    assert guess_language(words("Helt ok, men fragten er dyr"), "nb") == "nb"
    # One stop word is not enough to overrule a declared language, but is without one.
    assert guess_language(words("Dårlig levering og service"), "en") == "en"
    assert guess_language(words("Dårlig levering og service"), None) == "da"
    assert guess_language(words("szybka dostawa"), "pl") == "pl"
