"""The log-odds ratio with an informative Dirichlet prior, against figures worked out by hand."""

from __future__ import annotations

import math

import pytest

from collector.themes.logodds import distinctive, log_odds


def test_a_small_example_worked_out_by_hand():
    # Detractors use "a" 6 times and "b" twice (n_i = 8); promoters each once
    # (n_j = 2); the prior counts are a: 1, b: 3 (a_0 = 4).
    #   delta_a = log((6 + 1) / (8 + 4 - 6 - 1)) - log((1 + 1) / (2 + 4 - 1 - 1))
    #           = log(7 / 5) - log(2 / 4) = log(2.8) = 1.0296194
    #   variance_a = 1 / (6 + 1) + 1 / (1 + 1) = 9 / 14
    #   z_a = 1.0296194 / sqrt(9 / 14) = 1.2841610
    #   delta_b = log((2 + 3) / (8 + 4 - 2 - 3)) - log((1 + 3) / (2 + 4 - 1 - 3))
    #           = log(5 / 7) - log(4 / 2) = -1.0296194
    #   variance_b = 1 / 5 + 1 / 4 = 0.45, z_b = -1.0296194 / sqrt(0.45) = -1.5348660
    scores = log_odds({"a": 6, "b": 2}, {"a": 1, "b": 1}, {"a": 1, "b": 3})
    assert scores["a"].delta == pytest.approx(1.0296194, abs=1e-7)
    assert scores["a"].z == pytest.approx(1.2841610, abs=1e-7)
    assert scores["b"].delta == pytest.approx(-1.0296194, abs=1e-7)
    assert scores["b"].z == pytest.approx(-1.5348660, abs=1e-7)


def test_a_symmetric_example_gives_opposite_scores():
    # log(7/5) - log(5/7) = 2 log 1.4 = 0.6729445; sqrt(1/7 + 1/5) = 0.5855400
    scores = log_odds({"a": 3, "b": 1}, {"a": 1, "b": 3}, {"a": 4, "b": 4})
    assert scores["a"].delta == pytest.approx(2 * math.log(1.4))
    assert scores["a"].z == pytest.approx(1.1492715, abs=1e-7)
    assert scores["b"].z == pytest.approx(-scores["a"].z)


def test_distinctive_keeps_clear_and_frequent_terms_only():
    group = {"late": 40, "rare": 2, "price": 10}
    other = {"late": 2, "price": 10, "nice": 50}
    prior = {term: group.get(term, 0) + other.get(term, 0) for term in {*group, *other}}
    found = distinctive(group, other, prior)
    assert [score.term for score in found] == ["late"]
    assert found[0].z > 1.96
    # "rare" appears only in the group, but in 2 comments: under the minimum, and its z is small.
    assert log_odds(group, other, prior)["rare"].z < found[0].z


def test_a_rare_word_does_not_outrank_a_frequent_one():
    # Both only ever used by the group: the one used 30 times ranks above the one used 3 times.
    group = {"often": 30, "seldom": 3, "shared": 50}
    other = {"shared": 50}
    prior = {"often": 30, "seldom": 3, "shared": 100}
    found = distinctive(group, other, prior, min_z=0)
    assert [score.term for score in found][:2] == ["often", "seldom"]


def test_a_vocabulary_of_one_word_has_no_odds():
    assert log_odds({"only": 3}, {}, {"only": 3}) == {}
    assert distinctive({"only": 3}, {"only": 1}, {"only": 4}) == []
