"""A comment's terms: its words and two-word phrases, each reduced to its
stem in the comment's language with the Snowball stemmers, stop words left out.

"levering", "leveringen" and "leveringer" are one term ("levering") in
Danish. A term is counted once per comment, and keeps the form it had in that
comment ("leveringen"), so that a stem can be shown as a word people read.
Languages without a Snowball stemmer keep their words as written (lowercased);
languages without a stop word list keep every word of two letters or more.

A comment is taken to be in its answer's or touchpoint's language, unless it
has clearly more stop words of another language with a list here ("The
parcel arrived late" on a Danish touchpoint is English): customers write in
the language they write in, whatever the shop's.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

import snowballstemmer

# ISO 639-1 codes (what touchpoints and locales use) and Snowball's names.
SNOWBALL_NAMES = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
# The languages whose Snowball stop word list ships in stopwords/.
STOP_LISTS = ("danish", "dutch", "english", "finnish", "french", "german", "norwegian", "spanish", "swedish")

# One code per shipped stop word list, in a fixed order (ties go to the first).
_LIST_CODES = ("da", "nb", "sv", "de", "en", "fi", "nl", "fr", "es")

# A word: letters, with apostrophes inside ("don't"); digits and signs split words.
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Where a phrase ends: two words either side of one of these are no phrase.
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»…–—/\n]+")
MIN_LETTERS = 2
# A comment yields at most this many terms (a pasted essay is still one comment).
MAX_TERMS = 200


def language_code(locale: str | None) -> str | None:
    """The language part of a locale ("da-DK" → "da"), lowercased, or None."""
    if not locale:
        return None
    code = re.split(r"[-_]", locale.strip(), maxsplit=1)[0].lower()
    return code or None


@lru_cache(maxsize=64)
def stop_words(language: str | None) -> frozenset[str]:
    """The Snowball stop words of *language* (an ISO code); empty for a language without a list."""
    name = SNOWBALL_NAMES.get(language or "")
    if name not in STOP_LISTS:
        return frozenset()
    text = resources.files("collector.themes").joinpath("stopwords", f"{name}.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=64)
def _stemmer(language: str | None):
    name = SNOWBALL_NAMES.get(language or "")
    return snowballstemmer.stemmer(name) if name else None


@lru_cache(maxsize=200_000)
def stem(word: str, language: str | None) -> str:
    """The Snowball stem of a lowercased *word* in *language*; the word itself where there is no stemmer."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


def words(text: str) -> list[list[str]]:
    """The lowercased words of *text*, in runs that a phrase may span (split at punctuation)."""
    text = text.replace("’", "'").lower()
    return [_WORD.findall(part) for part in _BREAK.split(text)]


# The least number of stop words that lets a comment's own words overrule its declared language.
MIN_EVIDENCE = 2


def guess_language(runs: list[list[str]], declared: str | None) -> str | None:
    """The language of a comment's words: *declared*, unless the words hold
    more stop words of another language with a list (at least MIN_EVIDENCE
    of them; one will do when no language is declared)."""
    tokens = [word for run in runs for word in run]
    counts = {code: sum(word in stop_words(code) for word in tokens) for code in _LIST_CODES}
    best = max(counts, key=lambda code: counts[code])
    own = counts.get(declared or "", 0) if SNOWBALL_NAMES.get(declared or "") in STOP_LISTS else 0
    if counts[best] - own >= (MIN_EVIDENCE if declared else 1):
        return best
    return declared


def comment_terms(text: str | None, locale: str | None) -> dict[str, str]:
    """Return {term: the form it has in *text*} for a comment written in the
    language of *locale*: each word's stem, and "stem stem" for two words in a
    row, leaving out stop words and words of one letter."""
    if not text:
        return {}
    runs = words(text)
    language = guess_language(runs, language_code(locale))
    stops = stop_words(language)
    found: dict[str, str] = {}
    for run in runs:
        previous: tuple[str, str] | None = None
        for word in run:
            if len(word) < MIN_LETTERS or word in stops:
                previous = None
                continue
            term = stem(word, language)
            found.setdefault(term, word)
            if previous is not None:
                found.setdefault(f"{previous[0]} {term}", f"{previous[1]} {word}")
            previous = (term, word)
            if len(found) >= MAX_TERMS:
                return found
    return found


@lru_cache(maxsize=256)
def comment_terms_json(text: str | None, locale: str | None) -> str:
    """comment_terms as a JSON array of [term, form] pairs, for SQL (json_each).

    Registered as the SQL function anbefal_terms on every connection: the
    triggers that keep the comment_terms table call it. Cached, because each
    trigger reads it three times for the same comment.
    """
    return json.dumps(list(comment_terms(text, locale).items()), ensure_ascii=False)
