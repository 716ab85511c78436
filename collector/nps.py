"""Net Promoter Score arithmetic: categories, percentages, NPS, margin of error."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

DETRACTOR = "detractor"
PASSIVE = "passive"
PROMOTER = "promoter"
CATEGORIES = (DETRACTOR, PASSIVE, PROMOTER)
# The scale and where its categories part: the highest score of a detractor
# and the lowest of a promoter. The SQL that sorts answers into categories
# (storage.filters) and the admin's labels are made from these; tests hold
# the widget and openapi.json to them.
SCORES = range(11)
DETRACTOR_MAX = 6
PROMOTER_MIN = 9
CATEGORY_SCORES = {
    DETRACTOR: range(SCORES[0], DETRACTOR_MAX + 1),
    PASSIVE: range(DETRACTOR_MAX + 1, PROMOTER_MIN),
    PROMOTER: range(PROMOTER_MIN, SCORES[-1] + 1),
}


def category(score: int) -> str:
    """Return the category of a 0-10 score: 0-6 detractor, 7-8 passive, 9-10 promoter."""
    if score not in SCORES:
        raise ValueError(f"score out of range: {score}")
    if score <= DETRACTOR_MAX:
        return DETRACTOR
    if score < PROMOTER_MIN:
        return PASSIVE
    return PROMOTER


def score_span(cat: str) -> str:
    """Return the scores of a category as people write them, such as "0-6"."""
    scores = CATEGORY_SCORES[cat]
    return f"{scores[0]}-{scores[-1]}"


def round_half_away(value: float) -> int:
    """Round to the nearest integer, halves away from zero (as people expect,
    unlike Python's round(), which rounds halves to even)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


@dataclass(frozen=True)
class Summary:
    """Counts of one group of answers and what follows from them."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    def _pct(self, count: int) -> int | None:
        return round_half_away(100 * count / self.n) if self.n else None

    @property
    def pct_promoters(self) -> int | None:
        return self._pct(self.promoters)

    @property
    def pct_passives(self) -> int | None:
        return self._pct(self.passives)

    @property
    def pct_detractors(self) -> int | None:
        return self._pct(self.detractors)

    @property
    def nps_exact(self) -> float | None:
        """NPS without rounding; None when there are no answers."""
        if not self.n:
            return None
        return 100 * (self.promoters - self.detractors) / self.n

    @property
    def nps(self) -> int | None:
        """NPS as an integer from -100 to 100, computed from the counts (not
        from rounded percentages); None when there are no answers."""
        exact = self.nps_exact
        return None if exact is None else round_half_away(exact)

    @property
    def margin(self) -> float | None:
        """Half-width of the 95% confidence interval of the NPS, in points.

        Each answer is +1 (promoter), 0 (passive) or -1 (detractor); the NPS
        is their mean times 100, so its variance is (p + d - (p - d)^2) / n.
        None with fewer than two answers, where no spread can be estimated.
        """
        if self.n < 2:
            return None
        p = self.promoters / self.n
        d = self.detractors / self.n
        variance = p + d - (p - d) ** 2
        return 100 * 1.96 * math.sqrt(variance / self.n)

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "pct_promoters": self.pct_promoters,
            "pct_passives": self.pct_passives,
            "pct_detractors": self.pct_detractors,
            "nps": self.nps,
            "margin": None if self.margin is None else round(self.margin, 1),
        }

    def __add__(self, other: Summary) -> Summary:
        return Summary(
            self.promoters + other.promoters,
            self.passives + other.passives,
            self.detractors + other.detractors,
        )


def change(current: Summary, previous: Summary | None) -> int | None:
    """The NPS now minus the NPS before, in points, as the two are shown
    (rounded first, so the figures on the page add up); None if either is missing."""
    if previous is None or current.nps is None or previous.nps is None:
        return None
    return current.nps - previous.nps


def change_margin(current: Summary, previous: Summary | None) -> float | None:
    """The 95% margin of error of the change: the two periods' answers are
    independent samples, so their variances add up."""
    if previous is None or current.margin is None or previous.margin is None:
        return None
    return math.sqrt(current.margin**2 + previous.margin**2)


def gap(current: Summary, target: int | None) -> int | None:
    """The NPS minus the target (negative: below it); None without either."""
    if target is None or current.nps is None:
        return None
    return current.nps - target


def summary_from_scores(counts: Iterable[tuple[int, int]]) -> Summary:
    """Return the Summary of (score, count) pairs."""
    tally = dict.fromkeys(CATEGORIES, 0)
    for score, count in counts:
        tally[category(score)] += count
    return Summary(tally[PROMOTER], tally[PASSIVE], tally[DETRACTOR])


# What people read: a true minus sign (U+2212), as typeset figures have it;
# CSV and JSON keep ASCII numbers.
MINUS = "\u2212"


def format_nps(value: int | None) -> str:
    """Show an NPS (or a target) with its sign, and an em dash when there is none."""
    if value is None:
        return "—"
    if value < 0:
        return f"{MINUS}{-value}"
    return f"+{value}" if value > 0 else "0"


def format_change(value: int | None) -> str:
    """Show a difference between two figures with its sign (±0 for none), or an em dash."""
    if value is None:
        return "—"
    return "±0" if value == 0 else format_nps(value)
