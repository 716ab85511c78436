"""Driver ratings: what a touchpoint asks after the score (delivery time,
price, the staff's help...), each rated from 1 to 5.

The rules and the words live here: how many drivers a touchpoint may have,
what a key looks like, the rating scale, the standard labels and questions
for the usual drivers in each built-in language, and the words of the step
that asks them.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DRIVERS = 5
RATING_MIN = 1
RATING_MAX = 5
MAX_KEY = 20
MAX_LABEL = 60
MAX_QUESTION = 200
KEY = re.compile(r"^[a-z][a-z0-9_]*$")

# The words of the step that asks the drivers, per language.
STEP_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "drivers_intro": "How did we do? Optional.",
        "rating_label": "{n} out of 5",
        "rating_low": "Poor",
        "rating_high": "Excellent",
        "next": "Next",
        "question": "How would you rate: {label}?",
    },
    "da": {
        "drivers_intro": "Hvordan klarede vi os? Valgfrit.",
        "rating_label": "{n} ud af 5",
        "rating_low": "Dårligt",
        "rating_high": "Fremragende",
        "next": "Videre",
        "question": "Hvordan vil du vurdere: {label}?",
    },
    "nb": {
        "drivers_intro": "Hvordan gjorde vi det? Valgfritt.",
        "rating_label": "{n} av 5",
        "rating_low": "Dårlig",
        "rating_high": "Utmerket",
        "next": "Videre",
        "question": "Hvordan vil du vurdere: {label}?",
    },
    "sv": {
        "drivers_intro": "Hur gjorde vi? Valfritt.",
        "rating_label": "{n} av 5",
        "rating_low": "Dåligt",
        "rating_high": "Utmärkt",
        "next": "Nästa",
        "question": "Hur skulle du betygsätta: {label}?",
    },
    "de": {
        "drivers_intro": "Wie haben wir abgeschnitten? Optional.",
        "rating_label": "{n} von 5",
        "rating_low": "Schlecht",
        "rating_high": "Ausgezeichnet",
        "next": "Weiter",
        "question": "Wie bewerten Sie: {label}?",
    },
}

# The usual drivers: key -> language -> (label, question). A driver added
# with one of these keys and no label of its own takes these words.
STANDARD: dict[str, dict[str, tuple[str, str]]] = {
    "delivery": {
        "en": ("Delivery time", "How satisfied are you with the delivery time?"),
        "da": ("Leveringstid", "Hvor tilfreds er du med leveringstiden?"),
        "nb": ("Leveringstid", "Hvor fornøyd er du med leveringstiden?"),
        "sv": ("Leveranstid", "Hur nöjd är du med leveranstiden?"),
        "de": ("Lieferzeit", "Wie zufrieden sind Sie mit der Lieferzeit?"),
    },
    "price": {
        "en": ("Price", "How satisfied are you with the price?"),
        "da": ("Pris", "Hvor tilfreds er du med prisen?"),
        "nb": ("Pris", "Hvor fornøyd er du med prisen?"),
        "sv": ("Pris", "Hur nöjd är du med priset?"),
        "de": ("Preis", "Wie zufrieden sind Sie mit dem Preis?"),
    },
    "quality": {
        "en": ("Product quality", "How satisfied are you with the quality of the product?"),
        "da": ("Produktkvalitet", "Hvor tilfreds er du med produktets kvalitet?"),
        "nb": ("Produktkvalitet", "Hvor fornøyd er du med kvaliteten på produktet?"),
        "sv": ("Produktkvalitet", "Hur nöjd är du med produktens kvalitet?"),
        "de": ("Produktqualität", "Wie zufrieden sind Sie mit der Qualität des Produkts?"),
    },
    "staff": {
        "en": ("The staff's help", "How satisfied are you with the help from our staff?"),
        "da": ("Personalets hjælp", "Hvor tilfreds er du med hjælpen fra vores personale?"),
        "nb": ("Personalets hjelp", "Hvor fornøyd er du med hjelpen fra de ansatte?"),
        "sv": ("Personalens hjälp", "Hur nöjd är du med hjälpen från vår personal?"),
        "de": ("Hilfe der Mitarbeiter", "Wie zufrieden sind Sie mit der Hilfe unserer Mitarbeiter?"),
    },
    "website": {
        "en": ("The website", "How easy was our website to use?"),
        "da": ("Hjemmesiden", "Hvor nem var vores hjemmeside at bruge?"),
        "nb": ("Nettsiden", "Hvor enkel var nettsiden vår å bruke?"),
        "sv": ("Webbplatsen", "Hur lätt var vår webbplats att använda?"),
        "de": ("Die Website", "Wie einfach war unsere Website zu bedienen?"),
    },
    "support": {
        "en": ("Customer service", "How satisfied are you with our customer service?"),
        "da": ("Kundeservice", "Hvor tilfreds er du med vores kundeservice?"),
        "nb": ("Kundeservice", "Hvor fornøyd er du med kundeservicen vår?"),
        "sv": ("Kundtjänst", "Hur nöjd är du med vår kundtjänst?"),
        "de": ("Kundenservice", "Wie zufrieden sind Sie mit unserem Kundenservice?"),
    },
}


class DriverError(ValueError):
    """A driver or a rating that cannot be used; the message says why."""


def check_key(key: str) -> str:
    """Return *key* if it is a driver key (a short lower-case name), else raise DriverError."""
    if not isinstance(key, str) or len(key) > MAX_KEY or not KEY.match(key):
        raise DriverError(
            f"a driver key is a short name: a lower-case letter, then letters, digits or _, {MAX_KEY} at most"
        )
    return key


def _text(value: str | None, name: str, limit: int) -> str | None:
    value = (value or "").strip() or None
    if value is not None and (len(value) > limit or any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value)):
        raise DriverError(f"the {name} must be at most {limit} characters on one line")
    return value


def wording(key: str, language: str, label: str | None, question: str | None) -> tuple[str, str]:
    """The label and question of a new driver: those given, else the standard
    ones for *key* in *language*; a question made from the label otherwise."""
    label = _text(label, "label", MAX_LABEL)
    question = _text(question, "question", MAX_QUESTION)
    standard = STANDARD.get(key, {}).get(language) or STANDARD.get(key, {}).get("en")
    if label is None:
        if standard is None:
            raise DriverError(f"give a label: {key} is not one of the standard drivers ({', '.join(STANDARD)})")
        label = standard[0]
        question = question or standard[1]
    if question is None:
        question = STEP_TEXTS.get(language, STEP_TEXTS["en"])["question"].format(label=label)
    return label, question


def parse_ratings(value: Any, keys: list[str]) -> dict[str, int]:
    """Return {key: rating} from what a request sent as "drivers", or raise
    DriverError: it must be an object whose keys are among *keys* and whose
    values are whole numbers from 1 to 5."""
    if not isinstance(value, dict):
        raise DriverError('drivers must be an object such as {"delivery": 4}')
    ratings = {}
    for key, rating in value.items():
        if key not in keys:
            known = ", ".join(keys) if keys else "none"
            raise DriverError(f"unknown driver: {str(key)[:MAX_KEY]} (this touchpoint's drivers: {known})")
        # As with the score: 4.0 is 4 (JSON has one kind of number), true is no rating.
        if type(rating) is float and rating.is_integer() and abs(rating) <= RATING_MAX + 1:
            rating = int(rating)
        if type(rating) is not int or not RATING_MIN <= rating <= RATING_MAX:
            raise DriverError(f"the rating of {key} must be a whole number from {RATING_MIN} to {RATING_MAX}")
        ratings[key] = rating
    return ratings


def check_ratings_shape(value: Any) -> None:
    """Raise DriverError unless *value* could be ratings of some touchpoint's
    drivers (an object of at most five keys written as keys are, each rated
    1 to 5): for an answer whose touchpoint is not known, such as a bot's."""
    if isinstance(value, dict) and len(value) > MAX_DRIVERS:
        raise DriverError(f"at most {MAX_DRIVERS} driver ratings")
    keys = (
        [key for key in value if isinstance(key, str) and len(key) <= MAX_KEY and KEY.match(key)]
        if isinstance(value, dict)
        else []
    )
    parse_ratings(value, keys)


def step_texts(language: str) -> dict[str, str]:
    """The words of the drivers' step in *language* (English when it has none)."""
    texts = STEP_TEXTS.get(language, STEP_TEXTS["en"])
    return {key: value for key, value in texts.items() if key != "question"}


def rating_labels(texts: dict[str, str]) -> list[str]:
    """The spoken name of each rating, 1 to 5, ready-made for the widget's radios:
    "1 out of 5, Poor", "2 out of 5", ..., "5 out of 5, Excellent"."""
    ends = {RATING_MIN: texts["rating_low"], RATING_MAX: texts["rating_high"]}
    return [
        texts["rating_label"].format(n=n) + (f", {ends[n]}" if n in ends else "")
        for n in range(RATING_MIN, RATING_MAX + 1)
    ]


def performance(mean_rating: float) -> float:
    """A mean rating on 0-100: 1 is 0, 5 is 100."""
    return (mean_rating - RATING_MIN) / (RATING_MAX - RATING_MIN) * 100
