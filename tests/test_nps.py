"""NPS arithmetic against hand-computed values."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from collector import i18n, nps, openapi
from collector.assets import widget_asset
from collector.nps import Summary


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_category_boundaries(score, expected):
    assert nps.category(score) == expected


@pytest.mark.parametrize("score", [-1, 11])
def test_category_refuses_out_of_range(score):
    with pytest.raises(ValueError):
        nps.category(score)


def test_no_answers_has_no_nps():
    empty = Summary()
    assert empty.n == 0
    assert empty.nps is None
    assert empty.pct_promoters is None
    assert empty.margin is None
    assert nps.format_nps(empty.nps) == "—"


def test_all_passives_is_zero_not_missing():
    s = nps.summary_from_scores(Counter([7, 8, 7, 8]).items())
    assert (s.n, s.nps, s.pct_passives) == (4, 0, 100)
    assert nps.format_nps(s.nps) == "0"


def test_passives_count_in_the_denominator():
    # 5 promoters, 3 passives, 2 detractors: 50% - 20% = +30.
    s = nps.summary_from_scores(Counter([10, 9, 9, 10, 9, 7, 8, 8, 3, 6]).items())
    assert (s.promoters, s.passives, s.detractors) == (5, 3, 2)
    assert s.nps == 30
    assert nps.format_nps(s.nps) == "+30"


def test_negative_figures_have_a_true_minus_sign():
    assert nps.format_nps(-9) == "\u22129"
    assert nps.format_change(-49) == "\u221249"
    assert nps.format_change(0) == "±0" and nps.format_change(7) == "+7"
    assert nps.format_change(None) == "—"


def test_extremes():
    assert nps.summary_from_scores(Counter([10, 9]).items()).nps == 100
    assert nps.summary_from_scores(Counter([0, 6, 1]).items()).nps == -100


def test_rounding_is_half_away_from_zero_and_from_counts():
    # 1 promoter of 8: 12.5 -> 13 (Python's round() would give 12).
    s = Summary(promoters=1, passives=7, detractors=0)
    assert s.nps == 13
    assert Summary(promoters=0, passives=7, detractors=1).nps == -13
    # 2 promoters, 1 passive, 0 detractors of 3: 66.67 -> 67, percentages 67/33/0.
    s = Summary(promoters=2, passives=1, detractors=0)
    assert (s.nps, s.pct_promoters, s.pct_passives, s.pct_detractors) == (67, 67, 33, 0)
    # NPS comes from counts, not from rounded percentages: 1P 1Pa 1D -> 0 exactly.
    assert Summary(1, 1, 1).nps == 0


def test_margin_of_error_hand_computed():
    # 50 promoters, 30 passives, 20 detractors (n=100): p=.5, d=.2,
    # variance = .5 + .2 - .3^2 = .61, margin = 196 * sqrt(.61/100) = 15.31
    s = Summary(50, 30, 20)
    assert s.margin == pytest.approx(196 * math.sqrt(0.0061), abs=1e-9)
    assert round(s.margin, 2) == 15.31
    # Everyone agrees: no spread at all.
    assert Summary(10, 0, 0).margin == 0
    # One answer tells nothing about spread.
    assert Summary(1, 0, 0).margin is None


def test_summaries_add_up():
    total = Summary(1, 2, 3) + Summary(4, 5, 6)
    assert (total.promoters, total.passives, total.detractors, total.n) == (5, 7, 9, 21)


def test_as_dict_is_json_friendly():
    d = Summary(2, 1, 1).as_dict()
    assert d == {
        "n": 4,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
        "pct_promoters": 50,
        "pct_passives": 25,
        "pct_detractors": 25,
        "nps": 25,
        "margin": round(Summary(2, 1, 1).margin, 1),
    }


def test_the_widget_shows_the_same_scale():
    # The widget draws the score's radios from the labels the collector sends, one per score, from the first.
    source = widget_asset().source.decode()
    assert re.findall(r'scale\("q", t\.question, c\.score_labels, (\d+),', source) == [str(nps.SCORES[0])]
    for code in i18n.LANGUAGES:
        labels = i18n.score_labels(i18n.TEXTS[code])
        assert len(labels) == len(nps.SCORES), code
        assert all(str(n) in label for n, label in zip(nps.SCORES, labels, strict=True)), code


def test_the_widget_asks_the_follow_up_of_the_same_category():
    # The widget shows the collector's follow-up for the chosen score; the collector picks it by nps.category.
    source = widget_asset().source.decode()
    assert len(re.findall(r"c\.followups\[score\]", source)) == 1, "the widget's choice of follow-up has changed"
    for code in i18n.LANGUAGES:
        texts = i18n.TEXTS[code]
        chosen = i18n.followups(texts)
        assert chosen == [texts["followup"][nps.category(score)] for score in nps.SCORES], code


def test_openapi_states_the_same_scale_and_categories():
    score = openapi.spec()["components"]["schemas"]["Score"]
    assert (score["minimum"], score["maximum"]) == (nps.SCORES[0], nps.SCORES[-1])
    spans = ", ".join(f"{nps.score_span(cat)} {cat}" for cat in nps.CATEGORIES)
    assert score["description"].startswith(f"{spans}. ")


def test_the_categories_cover_the_scale_once():
    covered = [score for cat in nps.CATEGORIES for score in nps.CATEGORY_SCORES[cat]]
    assert covered == list(nps.SCORES)
    assert [nps.score_span(cat) for cat in nps.CATEGORIES] == ["0-6", "7-8", "9-10"]
