"""The themes of a selection of answers: the words and phrases detractors
use clearly more than promoters, and passives more than promoters, for the
overview and `anbefal themes`."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass

from .. import nps, storage
from .logodds import distinctive

# Each category is held up against the promoters.
CATEGORIES = (nps.DETRACTOR, nps.PASSIVE)
HEADINGS = {
    nps.DETRACTOR: "What detractors talk about",
    nps.PASSIVE: "What would make passives promoters",
}
# The newest comments of a selection that are read: enough for steady
# figures, few enough for the overview to stay quick on a large database.
COMMENTS_READ = 5000
# Themes shown per category.
SHOWN = 10


@dataclass(frozen=True)
class Theme:
    """A word or phrase one category uses clearly more than the promoters."""

    term: str  # the stems, as stored
    word: str  # the form most comments wrote
    search: str  # what the comments search looks for to find its comments
    comments: int  # the category's comments that use it
    share: float  # of the category's comments, 0..1
    promoters: int  # the promoters' comments that use it
    promoter_share: float  # of the promoters' comments, 0..1
    z: float

    def as_dict(self) -> dict:
        return {
            "word": self.word,
            "term": self.term,
            "comments": self.comments,
            "share": round(self.share, 4),
            "promoter_comments": self.promoters,
            "promoter_share": round(self.promoter_share, 4),
            "z": round(self.z, 2),
        }


@dataclass(frozen=True)
class Themes:
    """One category's themes within a selection."""

    category: str
    themes: list[Theme]
    comments: int  # the category's comments read
    promoter_comments: int
    limited: bool  # older comments of the selection were left unread
    read: int  # comments read, of every category: the newest of the selection

    @property
    def heading(self) -> str:
        return HEADINGS[self.category]


def search_text(term: str, word: str) -> str:
    """What to search the comments for: of each word, the letters its stem and
    its written form share ("deliveri", "delivery": deliver), which the search
    takes as a prefix, so every form of the stem is found."""
    parts = []
    for stem, written in zip(term.split(" "), word.split(" "), strict=False):
        parts.append(os.path.commonprefix([stem, written]) or written)
    return " ".join(parts)


def find_themes(
    conn: sqlite3.Connection,
    flt: storage.ResponseFilter,
    categories: tuple[str, ...] = CATEGORIES,
    *,
    shown: int = SHOWN,
    read: int = COMMENTS_READ,
) -> list[Themes]:
    """The themes of each of *categories* among the comments *flt* selects."""
    counted = storage.term_counts(conn, flt, read)
    index = {nps.DETRACTOR: 0, nps.PASSIVE: 1, nps.PROMOTER: 2}
    promoters = {term: counts[2] for term, counts in counted.counts.items() if counts[2]}
    prior = {term: float(sum(counts)) for term, counts in counted.counts.items()}
    found = []
    for category in categories:
        position = index[category]
        group = {term: counts[position] for term, counts in counted.counts.items() if counts[position]}
        found.append((category, distinctive(group, promoters, prior, limit=shown)))
    words = storage.term_words(conn, sorted({score.term for _, scores in found for score in scores}))
    n_promoters = counted.comments[2]
    result = []
    for category, scores in found:
        n_group = counted.comments[index[category]]
        themes = []
        for score in scores:
            term, word = words[score.term]
            in_group = counted.counts[score.term][index[category]]
            in_promoters = counted.counts[score.term][2]
            themes.append(
                Theme(
                    term=term,
                    word=word,
                    search=search_text(term, word),
                    comments=in_group,
                    share=in_group / n_group if n_group else 0.0,
                    promoters=in_promoters,
                    promoter_share=in_promoters / n_promoters if n_promoters else 0.0,
                    z=score.z,
                )
            )
        result.append(Themes(category, themes, n_group, n_promoters, counted.limited, counted.read))
    return result
