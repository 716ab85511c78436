"""What the survey says to a visitor, in each language it speaks.

The widget and the survey link pages both take their words from here, so a
touchpoint reads the same wherever it is asked.
"""

from __future__ import annotations

from typing import Any

from . import nps

DEFAULT_LANGUAGE = "en"

TEXTS: dict[str, dict[str, Any]] = {
    "en": {
        "name": "English",
        "question": "How likely is it that you would recommend us to a friend, colleague or family member?",
        "not_likely": "Not at all likely",
        "very_likely": "Extremely likely",
        "score_label": "{n} out of 10",
        "followup": {
            "detractor": "We are sorry to hear that. What went wrong?",
            "passive": "What would we have had to do for you to give us a 9 or 10?",
            "promoter": "Thank you! What did we do best?",
        },
        "comment_hint": "Optional. Please leave out personal details.",
        "send": "Send",
        "skip": "Skip",
        "close": "Close survey",
        "thanks": "Thank you for your answer!",
        "error": "Your answer could not be sent. Please try again.",
    },
    "da": {
        "name": "Dansk",
        "question": "Hvor sandsynligt er det, at du vil anbefale os til en ven, kollega eller et familiemedlem?",
        "not_likely": "Slet ikke sandsynligt",
        "very_likely": "Meget sandsynligt",
        "score_label": "{n} ud af 10",
        "followup": {
            "detractor": "Det er vi kede af at høre. Hvad gik galt?",
            "passive": "Hvad skulle vi have gjort, for at du ville give os 9 eller 10?",
            "promoter": "Tak! Hvad gjorde vi bedst?",
        },
        "comment_hint": "Valgfrit. Undlad venligst personlige oplysninger.",
        "send": "Send",
        "skip": "Spring over",
        "close": "Luk undersøgelsen",
        "thanks": "Tak for dit svar!",
        "error": "Dit svar kunne ikke sendes. Prøv igen.",
    },
    "nb": {
        "name": "Norsk bokmål",
        "question": "Hvor sannsynlig er det at du vil anbefale oss til en venn, kollega eller et familiemedlem?",
        "not_likely": "Svært lite sannsynlig",
        "very_likely": "Svært sannsynlig",
        "score_label": "{n} av 10",
        "followup": {
            "detractor": "Det var leit å høre. Hva gikk galt?",
            "passive": "Hva måtte vi ha gjort for at du skulle gi oss 9 eller 10?",
            "promoter": "Takk! Hva gjorde vi best?",
        },
        "comment_hint": "Valgfritt. Ikke skriv personopplysninger.",
        "send": "Send",
        "skip": "Hopp over",
        "close": "Lukk undersøkelsen",
        "thanks": "Takk for svaret!",
        "error": "Svaret kunne ikke sendes. Prøv igjen.",
    },
    "sv": {
        "name": "Svenska",
        "question": "Hur troligt är det att du skulle rekommendera oss till en vän, kollega eller familjemedlem?",
        "not_likely": "Inte alls troligt",
        "very_likely": "Mycket troligt",
        "score_label": "{n} av 10",
        "followup": {
            "detractor": "Tråkigt att höra. Vad gick fel?",
            "passive": "Vad hade vi behövt göra för att du skulle ge oss 9 eller 10?",
            "promoter": "Tack! Vad gjorde vi bäst?",
        },
        "comment_hint": "Valfritt. Skriv gärna inga personuppgifter.",
        "send": "Skicka",
        "skip": "Hoppa över",
        "close": "Stäng enkäten",
        "thanks": "Tack för ditt svar!",
        "error": "Ditt svar kunde inte skickas. Försök igen.",
    },
    "de": {
        "name": "Deutsch",
        "question": (
            "Wie wahrscheinlich ist es, dass Sie uns einem Freund, Kollegen oder Familienmitglied weiterempfehlen?"
        ),
        "not_likely": "Überhaupt nicht wahrscheinlich",
        "very_likely": "Äußerst wahrscheinlich",
        "score_label": "{n} von 10",
        "followup": {
            "detractor": "Das tut uns leid. Was ist schiefgelaufen?",
            "passive": "Was hätten wir tun müssen, damit Sie uns eine 9 oder 10 geben?",
            "promoter": "Vielen Dank! Was haben wir am besten gemacht?",
        },
        "comment_hint": "Optional. Bitte keine persönlichen Daten angeben.",
        "send": "Senden",
        "skip": "Überspringen",
        "close": "Umfrage schließen",
        "thanks": "Vielen Dank für Ihre Antwort!",
        "error": "Ihre Antwort konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
    },
    "fi": {
        "name": "Suomi",
        "question": "Kuinka todennäköisesti suosittelisit meitä ystävällesi, kollegallesi tai perheenjäsenellesi?",
        "not_likely": "Erittäin epätodennäköisesti",
        "very_likely": "Erittäin todennäköisesti",
        "score_label": "{n}/10",
        "followup": {
            "detractor": "Olemme pahoillamme. Mikä meni pieleen?",
            "passive": "Mitä meidän olisi pitänyt tehdä, jotta olisit antanut meille 9 tai 10?",
            "promoter": "Kiitos! Missä onnistuimme parhaiten?",
        },
        "comment_hint": "Vapaaehtoinen. Älä kirjoita henkilötietoja.",
        "send": "Lähetä",
        "skip": "Ohita",
        "close": "Sulje kysely",
        "thanks": "Kiitos vastauksestasi!",
        "error": "Vastaustasi ei voitu lähettää. Yritä uudelleen.",
    },
    "nl": {
        "name": "Nederlands",
        "question": "Hoe waarschijnlijk is het dat u ons zou aanbevelen aan een vriend, collega of familielid?",
        "not_likely": "Helemaal niet waarschijnlijk",
        "very_likely": "Zeer waarschijnlijk",
        "score_label": "{n} van 10",
        "followup": {
            "detractor": "Dat spijt ons. Wat ging er mis?",
            "passive": "Wat hadden we moeten doen om van u een 9 of 10 te krijgen?",
            "promoter": "Dank u wel! Wat deden we het best?",
        },
        "comment_hint": "Optioneel. Vermeld liever geen persoonsgegevens.",
        "send": "Versturen",
        "skip": "Overslaan",
        "close": "Enquête sluiten",
        "thanks": "Bedankt voor uw antwoord!",
        "error": "Uw antwoord kon niet worden verstuurd. Probeer het opnieuw.",
    },
    # French puts a no-break space before ? and !.
    "fr": {
        "name": "Français",
        "question": (
            "Quelle est la probabilité que vous nous recommandiez à un ami, un collègue "
            "ou un membre de votre famille\u00a0?"
        ),
        "not_likely": "Pas du tout probable",
        "very_likely": "Extrêmement probable",
        "score_label": "{n} sur 10",
        "followup": {
            "detractor": "Nous en sommes désolés. Qu’est-ce qui n’a pas été\u00a0?",
            "passive": "Qu’aurions-nous dû faire pour que vous nous donniez 9 ou 10\u00a0?",
            "promoter": "Merci\u00a0! Qu’avons-nous le mieux réussi\u00a0?",
        },
        "comment_hint": "Facultatif. Merci de ne pas indiquer de données personnelles.",
        "send": "Envoyer",
        "skip": "Passer",
        "close": "Fermer l’enquête",
        "thanks": "Merci pour votre réponse\u00a0!",
        "error": "Votre réponse n’a pas pu être envoyée. Veuillez réessayer.",
    },
    "es": {
        "name": "Español",
        "question": "¿Qué probabilidad hay de que nos recomiende a un amigo, colega o familiar?",
        "not_likely": "Nada probable",
        "very_likely": "Muy probable",
        "score_label": "{n} de 10",
        "followup": {
            "detractor": "Lamentamos oír eso. ¿Qué salió mal?",
            "passive": "¿Qué tendríamos que haber hecho para que nos diera un 9 o un 10?",
            "promoter": "¡Gracias! ¿Qué hicimos mejor?",
        },
        "comment_hint": "Opcional. Por favor, no incluya datos personales.",
        "send": "Enviar",
        "skip": "Omitir",
        "close": "Cerrar la encuesta",
        "thanks": "¡Gracias por su respuesta!",
        "error": "No se pudo enviar su respuesta. Inténtelo de nuevo.",
    },
}

LANGUAGES = tuple(TEXTS)

# Tags that mean one of our languages under another name.
ALIASES = {"no": "nb", "nn": "nb", "nob": "nb", "dan": "da", "swe": "sv", "deu": "de", "ger": "de"}
ALIASES |= {"fin": "fi", "nld": "nl", "dut": "nl", "fra": "fr", "fre": "fr", "spa": "es"}


def normalise(tag: str | None) -> str | None:
    """Map a language tag ("da-DK", "no", "en_GB") to a language we speak, or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    primary = ALIASES.get(primary, primary)
    return primary if primary in TEXTS else None


def choose(*candidates: str | None) -> str:
    """Return the first candidate we speak, else English."""
    for candidate in candidates:
        language = normalise(candidate)
        if language:
            return language
    return DEFAULT_LANGUAGE


def texts_for(touchpoint: Any, language: str) -> dict[str, Any]:
    """Return the texts for *language*, with the touchpoint's own question and
    follow-up questions where it has them."""
    base = TEXTS[language]
    texts = {key: value for key, value in base.items() if key != "followup"}
    texts["followup"] = dict(base["followup"])
    if touchpoint is not None:
        if touchpoint.question:
            texts["question"] = touchpoint.question
        for cat in ("detractor", "passive", "promoter"):
            custom = getattr(touchpoint, f"followup_{cat}", None)
            if custom:
                texts["followup"][cat] = custom
    return texts


def score_labels(texts: dict[str, Any]) -> list[str]:
    """The spoken name of each score, 0 to 10, ready-made for the widget's radios:
    "0 out of 10, Not at all likely", "1 out of 10", ..., "10 out of 10, Extremely likely"."""
    ends = {nps.SCORES[0]: texts["not_likely"], nps.SCORES[-1]: texts["very_likely"]}
    return [texts["score_label"].format(n=n) + (f", {ends[n]}" if n in ends else "") for n in nps.SCORES]


def followups(texts: dict[str, Any]) -> list[str]:
    """The follow-up question after each score, 0 to 10, by the score's category."""
    return [texts["followup"][nps.category(n)] for n in nps.SCORES]
