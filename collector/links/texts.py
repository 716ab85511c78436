"""The words of the survey link pages and the email block, per language.

The question, the anchors, the follow-up questions and the thanks come from
collector.i18n, as in the widget; these are the words only links need.
"""

from __future__ import annotations

from typing import Any

from .. import i18n

LINK_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your feedback",
        "choose": "Click the number that fits best:",
        "reason": "What is the most important reason for your score?",
        "choose_score": "Please choose a score from 0 to 10.",
        "form_expired": "This page was open for a long time. Please check your answer and send it again.",
        "form_invalid": "Your answer could not be matched to this survey. Please send it again.",
        "rate_limited": (
            "Too many answers came from your network just now, so this one was not saved. "
            "Please send it again in {seconds} seconds."
        ),
        "saved": "Your answer has been saved.",
        # "change" thanks a person who came from one of a mail's score links;
        # "change_unscored" one who came from a link without a score.
        "change": "Changed your mind? Click another number in the e-mail, or open the link again.",
        "change_unscored": "Changed your mind? Open the link from the e-mail again and send a new answer.",
        "invalid_title": "This survey link does not work",
        "invalid_text": "It may have been cut short or changed on the way. Please open the link from the e-mail again.",
        "expired_title": "This survey has closed",
        "expired_text": "Thank you for wanting to answer. This link is no longer open for answers.",
        "gone_title": "This survey no longer exists",
        "gone_text": "It has been removed. Thank you for wanting to answer.",
        "no_ref_title": "This survey link is incomplete",
        "no_ref_text": (
            "The link does not say which case it belongs to, so your answer could not be recorded. "
            "Nothing has been saved."
        ),
        "placeholder_title": "This survey link was not filled in",
        "placeholder_text": (
            "The mail system did not replace {placeholder} with the case number, so your answer could not be "
            "recorded. Nothing has been saved."
        ),
        "storage_fault": (
            "Your answer could not be saved just now because of a fault on our server. "
            "Please send it again in a minute; what you wrote is still here."
        ),
        "honeypot": "Leave this field empty",
    },
    "da": {
        "title": "Din mening",
        "choose": "Klik på det tal, der passer bedst:",
        "reason": "Hvad er den vigtigste grund til din vurdering?",
        "choose_score": "Vælg venligst et tal fra 0 til 10.",
        "form_expired": "Siden har været åben længe. Tjek venligst dit svar, og send det igen.",
        "form_invalid": "Dit svar kunne ikke knyttes til denne undersøgelse. Send det venligst igen.",
        "rate_limited": (
            "Der kom for mange svar fra dit netværk lige nu, så dette blev ikke gemt. "
            "Send det venligst igen om {seconds} sekunder."
        ),
        "saved": "Dit svar er gemt.",
        "change": "Har du skiftet mening? Klik på et andet tal i mailen, eller åbn linket igen.",
        "change_unscored": "Har du skiftet mening? Åbn linket fra mailen igen, og send et nyt svar.",
        "invalid_title": "Dette link til undersøgelsen virker ikke",
        "invalid_text": "Det er måske blevet afkortet eller ændret undervejs. Åbn venligst linket fra mailen igen.",
        "expired_title": "Undersøgelsen er lukket",
        "expired_text": "Tak fordi du ville svare. Linket tager ikke længere imod svar.",
        "gone_title": "Undersøgelsen findes ikke længere",
        "gone_text": "Den er blevet fjernet. Tak fordi du ville svare.",
        "no_ref_title": "Linket til undersøgelsen er ufuldstændigt",
        "no_ref_text": (
            "Linket siger ikke, hvilken sag det hører til, så dit svar kunne ikke registreres. Intet er gemt."
        ),
        "placeholder_title": "Linket til undersøgelsen blev ikke udfyldt",
        "placeholder_text": (
            "Mailsystemet erstattede ikke {placeholder} med sagsnummeret, så dit svar kunne ikke registreres. "
            "Intet er gemt."
        ),
        "storage_fault": (
            "Dit svar kunne ikke gemmes lige nu på grund af en fejl på vores server. "
            "Send det venligst igen om et minut; det, du skrev, står her stadig."
        ),
        "honeypot": "Lad dette felt være tomt",
    },
    "nb": {
        "title": "Din tilbakemelding",
        "choose": "Klikk på tallet som passer best:",
        "reason": "Hva er den viktigste grunnen til vurderingen din?",
        "choose_score": "Velg et tall fra 0 til 10.",
        "form_expired": "Siden har vært åpen lenge. Sjekk svaret ditt og send det på nytt.",
        "form_invalid": "Svaret ditt kunne ikke knyttes til denne undersøkelsen. Send det på nytt.",
        "rate_limited": (
            "Det kom for mange svar fra nettverket ditt akkurat nå, så dette ble ikke lagret. "
            "Send det på nytt om {seconds} sekunder."
        ),
        "saved": "Svaret ditt er lagret.",
        "change": "Ombestemt deg? Klikk på et annet tall i e-posten, eller åpne lenken på nytt.",
        "change_unscored": "Ombestemt deg? Åpne lenken fra e-posten på nytt og send et nytt svar.",
        "invalid_title": "Denne lenken til undersøkelsen virker ikke",
        "invalid_text": "Den kan ha blitt forkortet eller endret underveis. Åpne lenken fra e-posten på nytt.",
        "expired_title": "Undersøkelsen er avsluttet",
        "expired_text": "Takk for at du ville svare. Lenken tar ikke lenger imot svar.",
        "gone_title": "Undersøkelsen finnes ikke lenger",
        "gone_text": "Den er fjernet. Takk for at du ville svare.",
        "no_ref_title": "Lenken til undersøkelsen er ufullstendig",
        "no_ref_text": (
            "Lenken sier ikke hvilken sak den hører til, så svaret ditt kunne ikke registreres. Ingenting er lagret."
        ),
        "placeholder_title": "Lenken til undersøkelsen ble ikke fylt ut",
        "placeholder_text": (
            "E-postsystemet erstattet ikke {placeholder} med saksnummeret, så svaret ditt kunne ikke registreres. "
            "Ingenting er lagret."
        ),
        "storage_fault": (
            "Svaret ditt kunne ikke lagres akkurat nå på grunn av en feil på serveren vår. "
            "Send det på nytt om et minutt; det du skrev, står her fortsatt."
        ),
        "honeypot": "La dette feltet stå tomt",
    },
    "sv": {
        "title": "Din åsikt",
        "choose": "Klicka på den siffra som passar bäst:",
        "reason": "Vilket är det viktigaste skälet till ditt betyg?",
        "choose_score": "Välj en siffra från 0 till 10.",
        "form_expired": "Sidan har varit öppen länge. Kontrollera ditt svar och skicka det igen.",
        "form_invalid": "Ditt svar kunde inte kopplas till den här enkäten. Skicka det igen.",
        "rate_limited": (
            "Det kom för många svar från ditt nätverk just nu, så det här sparades inte. "
            "Skicka det igen om {seconds} sekunder."
        ),
        "saved": "Ditt svar har sparats.",
        "change": "Ändrat dig? Klicka på en annan siffra i mejlet eller öppna länken igen.",
        "change_unscored": "Ändrat dig? Öppna länken i mejlet igen och skicka ett nytt svar.",
        "invalid_title": "Den här länken till enkäten fungerar inte",
        "invalid_text": "Den kan ha kortats eller ändrats på vägen. Öppna länken från mejlet igen.",
        "expired_title": "Enkäten är stängd",
        "expired_text": "Tack för att du ville svara. Länken tar inte längre emot svar.",
        "gone_title": "Enkäten finns inte längre",
        "gone_text": "Den har tagits bort. Tack för att du ville svara.",
        "no_ref_title": "Länken till enkäten är ofullständig",
        "no_ref_text": (
            "Länken säger inte vilket ärende den hör till, så ditt svar kunde inte registreras. Inget har sparats."
        ),
        "placeholder_title": "Länken till enkäten fylldes inte i",
        "placeholder_text": (
            "E-postsystemet ersatte inte {placeholder} med ärendenumret, så ditt svar kunde inte registreras. "
            "Inget har sparats."
        ),
        "storage_fault": (
            "Ditt svar kunde inte sparas just nu på grund av ett fel på vår server. "
            "Skicka det igen om en minut; det du skrev finns kvar här."
        ),
        "honeypot": "Lämna det här fältet tomt",
    },
    "de": {
        "title": "Ihre Meinung",
        "choose": "Klicken Sie auf die Zahl, die am besten passt:",
        "reason": "Was ist der wichtigste Grund für Ihre Bewertung?",
        "choose_score": "Bitte wählen Sie eine Zahl von 0 bis 10.",
        "form_expired": "Diese Seite war lange geöffnet. Bitte prüfen Sie Ihre Antwort und senden Sie sie erneut.",
        "form_invalid": "Ihre Antwort konnte dieser Umfrage nicht zugeordnet werden. Bitte senden Sie sie erneut.",
        "rate_limited": (
            "Aus Ihrem Netzwerk kamen gerade zu viele Antworten, daher wurde diese nicht gespeichert. "
            "Bitte senden Sie sie in {seconds} Sekunden erneut."
        ),
        "saved": "Ihre Antwort wurde gespeichert.",
        "change": "Anders entschieden? Klicken Sie auf eine andere Zahl in der E-Mail oder öffnen Sie den Link erneut.",
        "change_unscored": (
            "Anders entschieden? Öffnen Sie den Link aus der E-Mail erneut und senden Sie eine neue Antwort."
        ),
        "invalid_title": "Dieser Umfrage-Link funktioniert nicht",
        "invalid_text": (
            "Er wurde unterwegs vielleicht gekürzt oder verändert. Bitte öffnen Sie den Link aus der E-Mail erneut."
        ),
        "expired_title": "Diese Umfrage ist geschlossen",
        "expired_text": "Danke, dass Sie antworten wollten. Dieser Link nimmt keine Antworten mehr an.",
        "gone_title": "Diese Umfrage gibt es nicht mehr",
        "gone_text": "Sie wurde entfernt. Danke, dass Sie antworten wollten.",
        "no_ref_title": "Dieser Umfrage-Link ist unvollständig",
        "no_ref_text": (
            "Der Link sagt nicht, zu welchem Vorgang er gehört, daher konnte Ihre Antwort nicht erfasst werden. "
            "Es wurde nichts gespeichert."
        ),
        "placeholder_title": "Dieser Umfrage-Link wurde nicht ausgefüllt",
        "placeholder_text": (
            "Das E-Mail-System hat {placeholder} nicht durch die Vorgangsnummer ersetzt, daher konnte Ihre Antwort "
            "nicht erfasst werden. Es wurde nichts gespeichert."
        ),
        "storage_fault": (
            "Ihre Antwort konnte wegen einer Störung auf unserem Server gerade nicht gespeichert werden. "
            "Bitte senden Sie sie in einer Minute erneut; Ihr Text ist noch da."
        ),
        "honeypot": "Dieses Feld bitte leer lassen",
    },
    "fi": {
        "title": "Palautteesi",
        "choose": "Napsauta parhaiten sopivaa numeroa:",
        "reason": "Mikä on tärkein syy antamaasi arvosanaan?",
        "choose_score": "Valitse numero väliltä 0–10.",
        "form_expired": "Sivu on ollut auki pitkään. Tarkista vastauksesi ja lähetä se uudelleen.",
        "form_invalid": "Vastaustasi ei voitu yhdistää tähän kyselyyn. Lähetä se uudelleen.",
        "rate_limited": (
            "Verkostasi tuli juuri liian monta vastausta, joten tätä ei tallennettu. "
            "Lähetä se uudelleen {seconds} sekunnin kuluttua."
        ),
        "saved": "Vastauksesi on tallennettu.",
        "change": "Muutitko mielesi? Napsauta toista numeroa sähköpostissa tai avaa linkki uudelleen.",
        "change_unscored": "Muutitko mielesi? Avaa sähköpostin linkki uudelleen ja lähetä uusi vastaus.",
        "invalid_title": "Tämä kyselylinkki ei toimi",
        "invalid_text": "Se on ehkä katkennut tai muuttunut matkalla. Avaa linkki sähköpostista uudelleen.",
        "expired_title": "Tämä kysely on päättynyt",
        "expired_text": "Kiitos, että halusit vastata. Tämä linkki ei enää ota vastaan vastauksia.",
        "gone_title": "Tätä kyselyä ei ole enää",
        "gone_text": "Se on poistettu. Kiitos, että halusit vastata.",
        "no_ref_title": "Tämä kyselylinkki on puutteellinen",
        "no_ref_text": (
            "Linkistä ei näy, mihin asiaan se liittyy, joten vastaustasi ei voitu kirjata. Mitään ei tallennettu."
        ),
        "placeholder_title": "Tätä kyselylinkkiä ei täytetty",
        "placeholder_text": (
            "Sähköpostijärjestelmä ei korvannut kohtaa {placeholder} asian numerolla, joten vastaustasi ei voitu "
            "kirjata. Mitään ei tallennettu."
        ),
        "storage_fault": (
            "Vastaustasi ei voitu tallentaa juuri nyt palvelimemme vian vuoksi. "
            "Lähetä se uudelleen minuutin kuluttua; kirjoittamasi teksti on yhä tallella tässä."
        ),
        "honeypot": "Jätä tämä kenttä tyhjäksi",
    },
    "nl": {
        "title": "Uw mening",
        "choose": "Klik op het cijfer dat het best past:",
        "reason": "Wat is de belangrijkste reden voor uw score?",
        "choose_score": "Kies een cijfer van 0 tot en met 10.",
        "form_expired": "Deze pagina stond lang open. Controleer uw antwoord en verstuur het opnieuw.",
        "form_invalid": "Uw antwoord kon niet aan deze enquête worden gekoppeld. Verstuur het opnieuw.",
        "rate_limited": (
            "Er kwamen zojuist te veel antwoorden van uw netwerk, daarom is dit niet opgeslagen. "
            "Verstuur het over {seconds} seconden opnieuw."
        ),
        "saved": "Uw antwoord is opgeslagen.",
        "change": "Van gedachten veranderd? Klik op een ander cijfer in de e-mail of open de link opnieuw.",
        "change_unscored": "Van gedachten veranderd? Open de link uit de e-mail opnieuw en stuur een nieuw antwoord.",
        "invalid_title": "Deze enquêtelink werkt niet",
        "invalid_text": "Hij is onderweg misschien ingekort of veranderd. Open de link uit de e-mail opnieuw.",
        "expired_title": "Deze enquête is gesloten",
        "expired_text": "Bedankt dat u wilde antwoorden. Deze link neemt geen antwoorden meer aan.",
        "gone_title": "Deze enquête bestaat niet meer",
        "gone_text": "Ze is verwijderd. Bedankt dat u wilde antwoorden.",
        "no_ref_title": "Deze enquêtelink is onvolledig",
        "no_ref_text": (
            "De link zegt niet bij welke zaak hij hoort, daarom kon uw antwoord niet worden vastgelegd. "
            "Er is niets opgeslagen."
        ),
        "placeholder_title": "Deze enquêtelink is niet ingevuld",
        "placeholder_text": (
            "Het e-mailsysteem heeft {placeholder} niet door het zaaknummer vervangen, daarom kon uw antwoord niet "
            "worden vastgelegd. Er is niets opgeslagen."
        ),
        "storage_fault": (
            "Uw antwoord kon door een storing op onze server nu niet worden opgeslagen. "
            "Verstuur het over een minuut opnieuw; wat u schreef, staat hier nog."
        ),
        "honeypot": "Laat dit veld leeg",
    },
    "fr": {
        "title": "Votre avis",
        "choose": "Cliquez sur le chiffre qui convient le mieux\u00a0:",
        "reason": "Quelle est la principale raison de votre note\u00a0?",
        "choose_score": "Veuillez choisir une note de 0 à 10.",
        "form_expired": (
            "Cette page est restée ouverte longtemps. Veuillez vérifier votre réponse et l’envoyer à nouveau."
        ),
        "form_invalid": "Votre réponse n’a pas pu être rattachée à cette enquête. Veuillez l’envoyer à nouveau.",
        "rate_limited": (
            "Trop de réponses sont venues de votre réseau à l’instant, celle-ci n’a donc pas été enregistrée. "
            "Veuillez l’envoyer à nouveau dans {seconds} secondes."
        ),
        "saved": "Votre réponse a été enregistrée.",
        "change": "Vous avez changé d’avis\u00a0? Cliquez sur un autre chiffre dans l’e-mail, ou rouvrez le lien.",
        "change_unscored": (
            "Vous avez changé d’avis\u00a0? Rouvrez le lien de l’e-mail et envoyez une nouvelle réponse."
        ),
        "invalid_title": "Ce lien d’enquête ne fonctionne pas",
        "invalid_text": "Il a peut-être été tronqué ou modifié en chemin. Veuillez rouvrir le lien depuis l’e-mail.",
        "expired_title": "Cette enquête est close",
        "expired_text": "Merci d’avoir voulu répondre. Ce lien n’accepte plus de réponses.",
        "gone_title": "Cette enquête n’existe plus",
        "gone_text": "Elle a été supprimée. Merci d’avoir voulu répondre.",
        "no_ref_title": "Ce lien d’enquête est incomplet",
        "no_ref_text": (
            "Le lien n’indique pas à quel dossier il se rapporte, votre réponse n’a donc pas pu être enregistrée. "
            "Rien n’a été enregistré."
        ),
        "placeholder_title": "Ce lien d’enquête n’a pas été complété",
        "placeholder_text": (
            "Le système de messagerie n’a pas remplacé {placeholder} par le numéro de dossier, votre réponse n’a donc "
            "pas pu être prise en compte. Rien n’a été enregistré."
        ),
        "storage_fault": (
            "Votre réponse n’a pas pu être enregistrée pour le moment à cause d’une panne sur notre serveur. "
            "Veuillez l’envoyer à nouveau dans une minute\u00a0; ce que vous avez écrit est toujours là."
        ),
        "honeypot": "Laissez ce champ vide",
    },
    "es": {
        "title": "Su opinión",
        "choose": "Haga clic en el número que mejor encaje:",
        "reason": "¿Cuál es el motivo principal de su puntuación?",
        "choose_score": "Elija un número del 0 al 10.",
        "form_expired": "Esta página ha estado abierta mucho tiempo. Revise su respuesta y envíela de nuevo.",
        "form_invalid": "No se pudo asociar su respuesta a esta encuesta. Envíela de nuevo.",
        "rate_limited": (
            "Acaban de llegar demasiadas respuestas desde su red, así que esta no se ha guardado. "
            "Envíela de nuevo dentro de {seconds} segundos."
        ),
        "saved": "Su respuesta se ha guardado.",
        "change": "¿Ha cambiado de opinión? Haga clic en otro número del correo o abra el enlace de nuevo.",
        "change_unscored": "¿Ha cambiado de opinión? Abra de nuevo el enlace del correo y envíe una nueva respuesta.",
        "invalid_title": "Este enlace de la encuesta no funciona",
        "invalid_text": "Puede que se haya cortado o modificado por el camino. Abra de nuevo el enlace del correo.",
        "expired_title": "Esta encuesta está cerrada",
        "expired_text": "Gracias por querer responder. Este enlace ya no admite respuestas.",
        "gone_title": "Esta encuesta ya no existe",
        "gone_text": "Se ha eliminado. Gracias por querer responder.",
        "no_ref_title": "Este enlace de la encuesta está incompleto",
        "no_ref_text": (
            "El enlace no indica a qué caso pertenece, así que no se pudo registrar su respuesta. "
            "No se ha guardado nada."
        ),
        "placeholder_title": "Este enlace de la encuesta no se rellenó",
        "placeholder_text": (
            "El sistema de correo no sustituyó {placeholder} por el número de caso, así que no se pudo registrar su "
            "respuesta. No se ha guardado nada."
        ),
        "storage_fault": (
            "No se pudo guardar su respuesta en este momento por un fallo en nuestro servidor. "
            "Envíela de nuevo dentro de un minuto; lo que escribió sigue aquí."
        ),
        "honeypot": "Deje este campo vacío",
    },
}

assert set(LINK_TEXTS) == set(i18n.LANGUAGES)


def link_texts_for(touchpoint: Any, language: str) -> dict[str, Any]:
    """Return the widget's texts for the touchpoint and language, plus the links' own."""
    return {**i18n.texts_for(touchpoint, language), **LINK_TEXTS[language]}
