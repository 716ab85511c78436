"""The themes of a selection, on constructed comments: the stem detractors
repeat in several forms is found and counted once per comment, stop words
never show, and changed or forgotten answers change the counts."""

from __future__ import annotations

import pytest

from collector import nps, storage
from collector.themes.report import find_themes, search_text
from collector.themes.terms import stop_words

DETRACTORS = [
    "Leveringen var alt for langsom.",
    "Levering tog en uge, og leveringen var dyr.",  # two forms, one comment
    "Dårlig levering og ingen svar",
    "Leveringer kommer altid for sent",
    "Varen var i stykker efter leveringen",
    "Leveringen var forsinket igen",
]
PASSIVES = ["Prisen kunne være lavere", "Lavere pris tak", "Lidt lavere priser", "Pænt, men lavere fragt"]
PROMOTERS = [
    "Super god service",
    "Venlig service og god kvalitet",
    "God kvalitet, god pris",
    "Hurtig og venlig",
    "Fin service",
    "Varen var som beskrevet",
]


@pytest.fixture
def shop(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    ids = {}
    # Each comment three times (by different customers): enough for a difference beyond chance.
    for number, text in enumerate(DETRACTORS * 3):
        ids[text] = storage.insert_response(conn, tp.id, number % 7, comment=text, ref=f"D-{number}")
    for number, text in enumerate(PASSIVES * 3):
        ids[text] = storage.insert_response(conn, tp.id, 7 + number % 2, comment=text)
    for number, text in enumerate(PROMOTERS * 3):
        ids[text] = storage.insert_response(conn, tp.id, 9 + number % 2, comment=text)
    return tp, ids


def by_word(found, category):
    section = next(section for section in found if section.category == category)
    return {theme.word: theme for theme in section.themes}, section


def test_the_stem_detractors_repeat_is_found_once_per_comment(conn, shop):
    tp, _ = shop
    found = find_themes(conn, storage.ResponseFilter(touchpoint_id=tp.id))
    themes, section = by_word(found, nps.DETRACTOR)
    assert section.heading == "What detractors talk about"
    assert section.comments == 18 and section.promoter_comments == 18
    # levering, leveringen, leveringer: one theme, shown as the form most
    # comments wrote, in all 18 comments (those with two forms count once).
    assert list(themes)[0] == "leveringen"
    delivery = themes["leveringen"]
    assert delivery.term == "levering" and delivery.comments == 18 and delivery.promoters == 0
    assert delivery.share == 1.0 and delivery.z >= 1.96
    assert delivery.search == "levering"


def test_passives_get_their_own_themes(conn, shop):
    tp, _ = shop
    themes, section = by_word(find_themes(conn, storage.ResponseFilter(touchpoint_id=tp.id)), nps.PASSIVE)
    assert section.heading == "What would make passives promoters"
    assert list(themes) == ["lavere"]
    assert themes["lavere"].comments == 12


def test_stop_words_never_appear(conn, shop):
    tp, _ = shop
    stops = stop_words("da")
    for section in find_themes(conn, storage.ResponseFilter(touchpoint_id=tp.id), shown=1000, read=1000):
        for theme in section.themes:
            assert not {*theme.word.split(" "), *theme.term.split(" ")} & stops


def test_a_changed_score_and_a_forgotten_answer_change_the_counts(conn, shop):
    tp, ids = shop
    flt = storage.ResponseFilter(touchpoint_id=tp.id)
    storage.update_response(conn, ids[DETRACTORS[0]], score=10)
    themes, section = by_word(find_themes(conn, flt), nps.DETRACTOR)
    assert section.comments == 17 and themes["leveringen"].comments == 17 and themes["leveringen"].promoters == 1
    assert storage.forget_ref(conn, "D-1") == 1
    themes, section = by_word(find_themes(conn, flt), nps.DETRACTOR)
    assert section.comments == 16 and themes["leveringen"].comments == 16


def test_nothing_stands_out_without_comments(conn, make_touchpoint):
    tp = make_touchpoint("quiet", language="da")
    storage.insert_response(conn, tp.id, 3)
    found = find_themes(conn, storage.ResponseFilter(touchpoint_id=tp.id))
    assert [(section.comments, section.themes) for section in found] == [(0, []), (0, [])]


def test_search_text_is_what_a_stem_and_its_form_share():
    assert search_text("deliveri", "delivery") == "deliver"
    assert search_text("levering", "leveringen") == "levering"
    assert search_text("rask levering", "rask leveringen") == "rask levering"
