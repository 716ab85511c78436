"""The demo shop's words per survey language: `/demo?lang=da` shows the
widget in Danish on a Danish shop page, as a real shop's would be."""

from __future__ import annotations

from . import i18n

PAGE_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Order {order} confirmed",
        "skip": "Skip to the order",
        "shop_nav": "Shop",
        "nav": "Coffee|Brewing|Subscriptions|Basket (0)",
        "steps_label": "Checkout steps",
        "steps": "Basket|Delivery|Payment|Confirmation",
        "thanks": "Thank you for your order",
        "lead": "Order {order} is confirmed. A receipt is on its way to your inbox.",
        "summary": "Order summary",
        "caption": "Items in order {order}",
        "columns": "Item|Qty|Price",
        "items": (
            "Espresso Nord, whole beans, 500 g|Filter Lys, ground for filter, 250 g|Ceramic pour-over dripper, sand"
        ),
        "shipping": "Delivery to a parcel shop",
        "total": "Total, VAT included",
        "delivery": "Delivery",
        "roasted": "Roasted on Tuesday, packed the same day.",
        "expected": "Expected at your parcel shop in {days}. You will get a text message when it is ready for pick-up.",
        "days": "2 to 3 working days",
        "questions": "Questions?",
        "contact": "Write to {mail} or call +45 00 00 00 00, weekdays 9 to 16.",
        "footer": "Fjordkaffe · small-batch coffee roasters · a pretend shop for trying Anbefal",
    },
    "da": {
        "title": "Ordre {order} bekræftet",
        "skip": "Gå til ordren",
        "shop_nav": "Butik",
        "nav": "Kaffe|Brygning|Abonnementer|Kurv (0)",
        "steps_label": "Trin i bestillingen",
        "steps": "Kurv|Levering|Betaling|Bekræftelse",
        "thanks": "Tak for din bestilling",
        "lead": "Ordre {order} er bekræftet. En kvittering er på vej til din indbakke.",
        "summary": "Ordreoversigt",
        "caption": "Varer i ordre {order}",
        "columns": "Vare|Antal|Pris",
        "items": "Espresso Nord, hele bønner, 500 g|Filter Lys, malet til filter, 250 g|Dryptragt i keramik, sand",
        "shipping": "Levering til pakkeshop",
        "total": "I alt inkl. moms",
        "delivery": "Levering",
        "roasted": "Ristet tirsdag, pakket samme dag.",
        "expected": "Forventes i din pakkeshop om {days}. Du får en sms, når pakken kan hentes.",
        "days": "2 til 3 hverdage",
        "questions": "Spørgsmål?",
        "contact": "Skriv til {mail} eller ring på +45 00 00 00 00, hverdage kl. 9 til 16.",
        "footer": "Fjordkaffe · kafferisteri i små portioner · en opdigtet butik til at prøve Anbefal",
    },
    "nb": {
        "title": "Bestilling {order} bekreftet",
        "skip": "Gå til bestillingen",
        "shop_nav": "Butikk",
        "nav": "Kaffe|Brygging|Abonnement|Handlekurv (0)",
        "steps_label": "Trinn i bestillingen",
        "steps": "Handlekurv|Levering|Betaling|Bekreftelse",
        "thanks": "Takk for bestillingen",
        "lead": "Bestilling {order} er bekreftet. En kvittering er på vei til innboksen din.",
        "summary": "Bestillingsoversikt",
        "caption": "Varer i bestilling {order}",
        "columns": "Vare|Antall|Pris",
        "items": "Espresso Nord, hele bønner, 500 g|Filter Lys, malt for filter, 250 g|Traktholder i keramikk, sand",
        "shipping": "Levering til hentested",
        "total": "Totalt inkl. mva.",
        "delivery": "Levering",
        "roasted": "Brent tirsdag, pakket samme dag.",
        "expected": "Ventes på hentestedet om {days}. Du får en SMS når pakken kan hentes.",
        "days": "2 til 3 virkedager",
        "questions": "Spørsmål?",
        "contact": "Skriv til {mail} eller ring +45 00 00 00 00, hverdager kl. 9 til 16.",
        "footer": "Fjordkaffe · kaffebrenneri i små partier · en oppdiktet butikk for å prøve Anbefal",
    },
    "sv": {
        "title": "Order {order} bekräftad",
        "skip": "Gå till ordern",
        "shop_nav": "Butik",
        "nav": "Kaffe|Bryggning|Prenumerationer|Varukorg (0)",
        "steps_label": "Steg i beställningen",
        "steps": "Varukorg|Leverans|Betalning|Bekräftelse",
        "thanks": "Tack för din beställning",
        "lead": "Order {order} är bekräftad. Ett kvitto är på väg till din inkorg.",
        "summary": "Ordersammanfattning",
        "caption": "Varor i order {order}",
        "columns": "Vara|Antal|Pris",
        "items": (
            "Espresso Nord, hela bönor, 500 g|Filter Lys, malet för filter, 250 g|Droppfilterhållare i keramik, sand"
        ),
        "shipping": "Leverans till ombud",
        "total": "Totalt inkl. moms",
        "delivery": "Leverans",
        "roasted": "Rostat i tisdags, packat samma dag.",
        "expected": "Väntas hos ditt ombud om {days}. Du får ett sms när paketet kan hämtas.",
        "days": "2 till 3 arbetsdagar",
        "questions": "Frågor?",
        "contact": "Skriv till {mail} eller ring +45 00 00 00 00, vardagar kl. 9 till 16.",
        "footer": "Fjordkaffe · kafferosteri i små satser · en påhittad butik för att prova Anbefal",
    },
    "de": {
        "title": "Bestellung {order} bestätigt",
        "skip": "Zur Bestellung springen",
        "shop_nav": "Shop",
        "nav": "Kaffee|Zubereitung|Abos|Warenkorb (0)",
        "steps_label": "Schritte der Bestellung",
        "steps": "Warenkorb|Lieferung|Zahlung|Bestätigung",
        "thanks": "Danke für Ihre Bestellung",
        "lead": "Bestellung {order} ist bestätigt. Eine Quittung ist auf dem Weg in Ihr Postfach.",
        "summary": "Bestellübersicht",
        "caption": "Artikel in Bestellung {order}",
        "columns": "Artikel|Menge|Preis",
        "items": (
            "Espresso Nord, ganze Bohnen, 500 g|Filter Lys, für Filter gemahlen, 250 g|Handfilter aus Keramik, sand"
        ),
        "shipping": "Lieferung an einen Paketshop",
        "total": "Gesamt inkl. MwSt.",
        "delivery": "Lieferung",
        "roasted": "Am Dienstag geröstet, am selben Tag verpackt.",
        "expected": "Im Paketshop erwartet in {days}. Sie bekommen eine SMS, sobald das Paket abholbereit ist.",
        "days": "2 bis 3 Werktagen",
        "questions": "Fragen?",
        "contact": "Schreiben Sie an {mail} oder rufen Sie +45 00 00 00 00 an, werktags 9 bis 16 Uhr.",
        "footer": "Fjordkaffe · Kaffeerösterei in kleinen Chargen · ein erfundener Shop zum Ausprobieren von Anbefal",
    },
}

assert set(PAGE_TEXTS) == set(i18n.LANGUAGES), "the demo page speaks every language the widget does"


def page_texts(lang: str) -> dict[str, str]:
    """The demo shop's words in *lang* (a language of collector.i18n), English as the fallback."""
    return PAGE_TEXTS.get(lang, PAGE_TEXTS["en"])
