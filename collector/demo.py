"""Demo data for `anbefal serve --demo`: touchpoints, answers over time."""

from __future__ import annotations

import random
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

from . import nps, storage, timestamps

DEMO_TOUCHPOINTS = [
    # name, language, target NPS
    ("demo-checkout", None, 40),
    ("invoice", "da", 30),
    ("support", "nb", 50),
]

DEMO_COMMENTS = {
    nps.DETRACTOR: [
        "The parcel arrived two days late and nobody told me.",
        "Fakturaen var svær at forstå.",
        "Ventetiden på telefonen var altfor lang.",
        "Checkout kept asking for my address again.",
    ],
    nps.PASSIVE: [
        "Fine, but delivery could be faster.",
        "Helt ok, men fragten er dyr.",
        "Greit nok, men nettsiden er treg.",
    ],
    nps.PROMOTER: [
        "Quick delivery and friendly support!",
        "Super god service, tak!",
        "Kjempefornøyd, rask levering.",
        "Great products, easy returns.",
    ],
}


def seed(conn: sqlite3.Connection, answers: int = 600, days: int = 180) -> tuple[str, str]:
    """Create the demo touchpoints and, on an empty database, some answers.

    Returns the demo login (email, password), with a new password each time.
    """
    rng = random.Random(20261124)
    created = []
    for name, language, target in DEMO_TOUCHPOINTS:
        tp = storage.get_touchpoint_by_name(conn, name)
        if tp is None:
            tp = storage.insert_touchpoint(conn, name, language=language, target_nps=target, sender_name="Fjordkaffe")
        created.append(tp)
    if storage.count_responses(conn) == 0:
        now = datetime.now(UTC)
        with storage.transaction(conn):
            for i in range(answers):
                tp = created[i % len(created)]
                # Scores drift upwards over time, so the trend has a story.
                age = rng.random() * days
                lift = (days - age) / days * 2
                score = max(0, min(10, round(rng.gauss(7.2 + lift, 2.2))))
                comment = rng.choice(DEMO_COMMENTS[nps.category(score)]) if rng.random() < 0.35 else None
                when = timestamps.format_utc(now - timedelta(days=age))
                storage.insert_response(
                    conn,
                    tp.id,
                    score,
                    comment=comment,
                    ref=f"DEMO-{10000 + i}",
                    channel="widget" if i % 4 else "link",
                    properties={"segment": rng.choice(["private", "business"])},
                    created_at=when,
                )
    return demo_login(conn)


DEMO_EMAIL = "demo@example.com"


def demo_login(conn: sqlite3.Connection) -> tuple[str, str]:
    """Create the demo user, or give it a new password, and return (email, password)."""
    from admin import users

    password = secrets.token_urlsafe(12)
    existing = storage.get_user_by_email(conn, DEMO_EMAIL)
    if existing is None:
        users.add_user(conn, DEMO_EMAIL, password)
    else:
        storage.set_user_password(conn, existing.id, users.hash_password(password))
    return DEMO_EMAIL, password
