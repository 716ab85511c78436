"""Which terms one group of comments uses more than another: the log-odds
ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn,
"Fightin' Words", Political Analysis 16(4), 2008, section 3.5).

For a term w used y_i times in group i (n_i terms in all) and y_j times in
group j, with a prior count a_w for the term (a_0 for all terms):

    delta_w = log((y_i + a_w) / (n_i + a_0 - y_i - a_w))
            - log((y_j + a_w) / (n_j + a_0 - y_j - a_w))
    variance_w ≈ 1 / (y_i + a_w) + 1 / (y_j + a_w)
    z_w = delta_w / sqrt(variance_w)

The prior is informative: a_w is the term's count over every comment of the
selection (all three categories), so a rare term is pulled towards the
common rate and cannot rank high on two or three uses alone, while a term
both groups use often is held to the difference in its rates. A z-score
above 1.96 is a difference that chance alone would make less than one time
in twenty (one term in twenty may still pass by chance when many are tested).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# What "clearly above chance" means here, and the fewest comments a theme needs.
MIN_Z = 1.96
MIN_COMMENTS = 3


@dataclass(frozen=True)
class Score:
    """A term's log-odds ratio (group i against group j) and its z-score."""

    term: str
    delta: float
    z: float


def log_odds(group: Mapping[str, int], other: Mapping[str, int], prior: Mapping[str, float]) -> dict[str, Score]:
    """Score every term of *prior* for *group* against *other* (counts per term)."""
    n_i = sum(group.values())
    n_j = sum(other.values())
    a_0 = sum(prior.values())
    scores = {}
    for term, a_w in prior.items():
        if a_w <= 0:
            continue
        y_i = group.get(term, 0)
        y_j = other.get(term, 0)
        rest_i, rest_j = n_i + a_0 - y_i - a_w, n_j + a_0 - y_j - a_w
        if rest_i <= 0 or rest_j <= 0:
            continue  # no other word to hold it against: no odds
        delta = math.log((y_i + a_w) / rest_i) - math.log((y_j + a_w) / rest_j)
        variance = 1 / (y_i + a_w) + 1 / (y_j + a_w)
        scores[term] = Score(term, delta, delta / math.sqrt(variance))
    return scores


def distinctive(
    group: Mapping[str, int],
    other: Mapping[str, int],
    prior: Mapping[str, float],
    *,
    min_z: float = MIN_Z,
    min_count: int = MIN_COMMENTS,
    limit: int | None = None,
) -> list[Score]:
    """The terms *group* uses clearly more than *other*, highest z first:
    z of at least *min_z*, in at least *min_count* of the group's comments."""
    found = [
        score
        for score in log_odds(group, other, prior).values()
        if score.z >= min_z and group.get(score.term, 0) >= min_count
    ]
    found.sort(key=lambda score: (-score.z, score.term))
    return found[:limit] if limit is not None else found
